package io.fleetgate.client;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/** What the reference clients tell the gateway about where they run, and how they let go of it. */
public final class ClientHost {

    private ClientHost() {
    }

    public static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The jar's version (from its manifest); {@code dev} when run from classes. */
    public static String version() {
        String version = ClientHost.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    /** Lets calls in flight finish for a few seconds, then cuts them. */
    public static void close(ManagedChannel channel) {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
