package io.fleetgate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The jar's entry point: --help and --version answer and return, they never start a gateway. */
class FleetgateTest {

    private static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            Fleetgate.main(args);
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsTheCommandsAndEveryEnvironmentVariableTheGatewayReads() {
        for (String flag : new String[] {"--help", "-h"}) {
            assertThat(run(flag)).contains("Usage: java -jar fleetgate.jar", "agent", "sync")
                    .contains("FLEETGATE_DATABASE_URL", "FLEETGATE_GRPC_PORT (default 50051)", "FLEETGATE_LOGIN_MAX_BACKOFF (default 15m)");
        }
        assertThat(run("gateway", "--help")).contains("FLEETGATE_SAAS_ALLOWED_NETWORKS");
    }

    @Test
    void versionPrintsTheBuildsVersion() {
        assertThat(run("--version").strip()).startsWith("fleetgate ");
        assertThat(run("-V").strip()).startsWith("fleetgate ");
    }
}
