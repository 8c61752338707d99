package io.fleetgate.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** fleetgate_agents and fleetgate_agent_config_rejections_total, as Prometheus scrapes them. */
class AgentMetricsTest extends GatewayTest {

    @Autowired
    PollRecorder recorder;

    @Autowired
    AgentMetrics metrics;

    @Test
    void theFleetIsCountedByTenantAndARefusalOnceWhenItIsNew() {
        UUID tenant = createTenant("agent-metrics");
        String slug = (String) queryValue("SELECT slug FROM tenants WHERE id = ?", tenant);
        var agent = GrpcClients.blocking(channel(), agentToken(tenant));
        agent.hello(AgentHelloRequest.newBuilder().setAgentId("refuser").build());
        agent.hello(AgentHelloRequest.newBuilder().setAgentId("silent").build());
        String version = agent.getConfig(AgentConfigRequest.newBuilder().setAgentId("refuser").build()).getConfigVersion();
        for (int poll = 0; poll < 3; poll++) { // the NACK comes with every poll, a flush apart
            agent.getConfig(AgentConfigRequest.newBuilder().setAgentId("refuser").setRejectedConfigVersion(version).setRejectReason("no").build());
            recorder.flush().block(Duration.ofSeconds(10));
        }
        metrics.refresh().block(Duration.ofSeconds(10));

        String scrape = scrape();
        assertThat(value(scrape, "fleetgate_agents", slug, "liveness=\"online\"", "config_status=\"rejected\"")).isEqualTo(1);
        assertThat(value(scrape, "fleetgate_agents", slug, "liveness=\"never_seen\"", "config_status=\"pending\"")).isEqualTo(1);
        assertThat(value(scrape, "fleetgate_agents", slug, "liveness=\"offline\"", "config_status=\"in_sync\"")).as("zeros are shown").isZero();
        assertThat(value(scrape, "fleetgate_agent_config_rejections_total", slug)).as("one refusal, however often repeated").isEqualTo(1);
        assertThat(scrape).doesNotContain("agent=\"refuser\"").doesNotContain(tenant.toString());
    }

    private String scrape() {
        return anonymous().get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
    }

    /** The value of the series of that name with the tenant's label and every other label given. */
    private static double value(String scrape, String name, String tenant, String... labels) {
        Matcher line = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(scrape);
        while (line.find()) {
            String found = line.group(1);
            if (found.contains("tenant=\"" + tenant + "\"") && java.util.Arrays.stream(labels).allMatch(found::contains)) {
                return Double.parseDouble(line.group(2));
            }
        }
        throw new AssertionError("no " + name + " of " + tenant + " " + String.join(",", labels));
    }
}
