package io.fleetgate.client;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The command-line options both clients use to reach the gateway (a picocli mixin). */
public final class GatewayOptions {

    @Option(names = "--gateway", required = true, paramLabel = "HOST:PORT", description = "the gateway's gRPC address")
    String gateway;

    @Option(names = "--tls", description = "connect with TLS")
    boolean tls;

    @Option(names = "--ca", paramLabel = "FILE", description = "CA certificates to trust (PEM)")
    File ca;

    @Option(names = "--cert", paramLabel = "FILE", description = "client certificate for mTLS (PEM)")
    File certificate;

    @Option(names = "--key", paramLabel = "FILE", description = "client key for mTLS (PEM)")
    File key;

    @Option(names = "--token", defaultValue = "${env:FLEETGATE_TOKEN}",
            description = "the credential: an agent token (agent), the sync service's credential (sync); or FLEETGATE_TOKEN")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "read the credential from this file instead (kept out of the process list)")
    Path tokenFile;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** The credential, from --token-file or --token / FLEETGATE_TOKEN; a usage error when there is none or both. */
    public String token() {
        // --token-file wins over FLEETGATE_TOKEN; beside an explicit --token it is a mistake
        if (tokenFile != null && spec.commandLine().getParseResult().hasMatchedOption("--token")) {
            throw new ParameterException(spec.commandLine(), "give --token or --token-file, not both");
        }
        if (tokenFile != null) {
            try {
                String read = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
                if (read.isEmpty()) {
                    throw new ParameterException(spec.commandLine(), "--token-file " + tokenFile + " is empty");
                }
                return read;
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "--token-file " + tokenFile + " cannot be read: " + e.getMessage());
            }
        }
        if (token == null || token.isBlank()) {
            throw new ParameterException(spec.commandLine(), "a credential is required: --token, --token-file or FLEETGATE_TOKEN");
        }
        return token;
    }

    public GatewayAddress address() {
        return new GatewayAddress(gateway, token(), tls, ca, certificate, key, null);
    }
}
