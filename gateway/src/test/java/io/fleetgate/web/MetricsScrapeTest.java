package io.fleetgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class MetricsScrapeTest extends GatewayTest {

    @Test
    void gaugesOnSuppliersStillReadAfterAGarbageCollection() {
        // a gauge whose only reference is a lambda is collected and reads NaN for ever after
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        String scrape = anonymous().get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        for (String series : new String[] {"fleetgate_getconfig_cache_size", "fleetgate_sync_streams_active",
                "fleetgate_getconfig_cache_evictions_total"}) {
            Matcher value = Pattern.compile("(?m)^" + series + "(?:\\{[^}]*\\})? (\\S+)$").matcher(scrape);
            assertThat(value.find()).as(series + " is scraped").isTrue();
            assertThat(value.group(1)).as(series).isNotEqualTo("NaN");
            assertThat(Double.parseDouble(value.group(1))).as(series).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void callLatencyAndBatchSizeAreHistogramsOfAFewBuckets() {
        UUID tenant = createTenant("histograms");
        GrpcClients.blocking(channel(), agentToken(tenant)).hello(AgentHelloRequest.newBuilder().setAgentId("agent-1").build());
        String scrape = anonymous().get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        // a histogram aggregates across replicas (a summary's quantiles do not): 15 buckets and +Inf per method and status
        List<String> hello = scrape.lines()
                .filter(line -> line.startsWith("fleetgate_grpc_server_calls_seconds_bucket{") && line.contains("/Hello\"")
                        && line.contains("status=\"OK\""))
                .toList();
        assertThat(hello).hasSize(16).anyMatch(line -> line.contains("le=\"0.001\"")).anyMatch(line -> line.contains("le=\"+Inf\""));
        assertThat(scrape).doesNotContain("fleetgate_grpc_server_calls_seconds{");
        // devices per batch: eight buckets and +Inf, not Micrometer's 276
        assertThat(scrape.lines().filter(line -> line.startsWith("fleetgate_sync_batch_size_bucket{"))).hasSize(9);
    }

    @Test
    void everyFleetgateSeriesPassesPromtoolCheckMetrics() throws Exception {
        Path promtool = Stream.of(System.getenv("PATH").split(":")).map(dir -> Path.of(dir, "promtool")).filter(Files::isExecutable)
                .findFirst().orElse(null);
        Assumptions.assumeTrue(promtool != null, "promtool not installed (Debian: apt-get install prometheus); .ci/run installs it");
        String scrape = anonymous().get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        check.getOutputStream().write(scrape.getBytes(StandardCharsets.UTF_8));
        check.getOutputStream().close();
        String problems = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(problems.lines().filter(line -> line.startsWith("fleetgate_"))).as("promtool check metrics on fleetgate_* series")
                .isEmpty();
    }
}
