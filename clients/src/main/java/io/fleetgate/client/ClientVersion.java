package io.fleetgate.client;

import picocli.CommandLine.IVersionProvider;

/** What {@code --version} prints: the build's version, from the jar's manifest. */
public final class ClientVersion implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {"fleetgate " + ClientHost.version()};
    }
}
