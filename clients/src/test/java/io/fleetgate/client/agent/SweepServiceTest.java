package io.fleetgate.client.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.net.Cidr;
import io.fleetgate.sweepjson.SweepPlan;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real probes on loopback addresses: a port the test listens on is open, one it does not is closed. */
class SweepServiceTest {

    @TempDir
    Path dir;

    @Test
    void openAndClosedPortsAndIcmpOnLoopback() throws Exception {
        try (ServerSocket listening = new ServerSocket()) {
            listening.bind(new InetSocketAddress(InetAddress.getByName("127.77.0.1"), 0));
            int open = listening.getLocalPort();
            int closed = freePort();
            SweepPlan plan = new SweepPlan("v1", "test", List.of(Cidr.parse("127.77.1.0/31")),
                    List.of(new SweepPlan.Target("127.77.0.1", List.of(open, closed), List.of(), "faker", Map.of())),
                    List.of("icmp", "tcp"), List.of(closed), Duration.ofMinutes(5), 8, Duration.ofSeconds(1));
            Path results = dir.resolve("results.json");
            try (SweepService sweeps = new SweepService(results, Clock.systemUTC())) {
                sweeps.apply(plan);
                SweepResult result = sweeps.results().blockFirst(Duration.ofSeconds(30));
                SweepResult.TargetResult target = result.target("127.77.0.1");
                assertThat(target.openPorts()).containsExactly(open);
                assertThat(target.closedPorts()).containsExactly(closed);
                assertThat(target.icmp()).isTrue();
                // the network's addresses are swept too, with the default ports
                assertThat(result.targets()).extracting(SweepResult.TargetResult::ip).contains("127.77.1.0", "127.77.1.1");
                assertThat(result.target("127.77.1.0").closedPorts()).containsExactly(closed);
                assertThat(Files.readString(results)).contains("\"open_ports\" : [ " + open + " ]").contains("\"config_version\" : \"v1\"");
            }
        }
    }

    @Test
    void aRefusedConnectIsAClosedPort() {
        // 127.77.2.1 refuses at once: the host is there, the port closed
        assertThat(SweepService.connect("127.77.2.1", freePort(), Duration.ofSeconds(1)).block()).isEqualTo(SweepService.PortState.CLOSED);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
