package io.fleetgate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fleetgate.agent.AgentPolls;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentGatewayServiceGrpc;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.test.Browser;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import reactor.core.publisher.Flux;

/** The Agents pages in headless Chromium: the fleet's cards and table, filters, one agent's refusal, live statuses. */
class AgentsPageBrowserTest extends GatewayTest {

    @Autowired
    ApplicationContext gateway;

    @BeforeAll
    static void browserPresent() {
        assumeTrue(Browser.available(), "Debian's chromium and chromium-driver are not installed (.ci/run installs them)");
    }

    @Test
    void aTenantAdminFindsTheAgentThatRefusesItsConfigAndWatchesAnotherCatchUp() {
        UUID tenant = createTenant("ui-agents");
        Onboarded sync = onboardSyncService(tenant);
        UUID source = createSource(tenant, sync.id(), Map.of("agent_uid", "site/a/refuser", "default_ports", List.of(22, 443)));
        GrpcClients.reactor(channel(), sync.credential()).syncDevices(Flux.just(SyncDevicesRequest.newBuilder().setBatchSeq(1)
                .setIntegrationSourceId(source.toString())
                .addDevices(DiscoveredDevice.newBuilder().setDeviceId("router").setSourceType("faker").setHostname("router-1")
                        .addIpAddresses("127.79.0.1"))
                .build())).blockLast(Duration.ofSeconds(30));
        var agent = GrpcClients.blocking(channel(), agentToken(tenant));
        for (String id : List.of("site/a/refuser", "catching-up", "in-step")) {
            agent.hello(AgentHelloRequest.newBuilder().setAgentId(id).setHostname("host-" + id.replace('/', '-')).setVersion("2.0.0").build());
        }
        agent.hello(AgentHelloRequest.newBuilder().setAgentId("never-polled").build());
        String refused = poll(agent, "site/a/refuser", "", "");
        poll(agent, "site/a/refuser", "", refused);
        String current = poll(agent, "in-step", "", "");
        poll(agent, "in-step", current, "");
        poll(agent, "catching-up", "", "");
        AgentPolls.flush(gateway);

        try (Browser browser = new Browser("http://127.0.0.1:" + httpPort)) {
            browser.signIn(tenantAdmin(tenant), ADMIN_PASSWORD).open("/integrations");
            browser.find(By.id("nav-agents")).click();
            browser.waitFor(d -> !d.findElements(By.id("agent-summary")).isEmpty());
            assertThat(browser.text(By.cssSelector("[data-summary=online]"))).isEqualTo("3");
            assertThat(browser.text(By.cssSelector("[data-summary=rejected]"))).isEqualTo("1");
            assertThat(browser.text(By.cssSelector("[data-summary=converged]"))).isEqualTo("25 %");
            assertThat(badges(browser, "site/a/refuser")).containsExactly("online", "rejected");
            assertThat(badges(browser, "in-step")).containsExactly("online", "in sync");
            assertThat(badges(browser, "never-polled")).containsExactly("never seen", "pending");
            // polled a moment ago (how long exactly depends on how busy the machine is)
            assertThat(row(browser, "in-step").findElement(By.cssSelector("[data-field=last_poll_at]")).getText()).matches("just now|\\d+ s ago");
            assertThat(row(browser, "site/a/refuser").findElement(By.cssSelector("[data-field=targets]")).getText()).isEqualTo("1");
            browser.screenshot("agents");

            new Select(browser.find(By.id("status"))).selectByValue("rejected");
            browser.find(By.id("apply-filters")).click();
            browser.waitFor(d -> d.getCurrentUrl().contains("status=rejected"));
            assertThat(browser.driver().findElements(By.cssSelector("tr[data-agent]"))).hasSize(1);
            browser.find(By.id("q")).sendKeys("HOST-catching");
            new Select(browser.find(By.id("status"))).selectByValue("");
            browser.find(By.id("apply-filters")).click();
            browser.waitFor(d -> d.getCurrentUrl().contains("q=HOST-catching"));
            assertThat(browser.driver().findElements(By.cssSelector("tr[data-agent]"))).extracting(r -> r.getAttribute("data-agent"))
                    .containsExactly("catching-up");

            // the agent's page: the refusal with its reason, and what it should sweep
            browser.open("/agents?tenant=" + tenant + "&status=rejected");
            browser.find(By.linkText("site/a/refuser")).click();
            browser.waitFor(d -> !d.findElements(By.id("agent-details")).isEmpty());
            assertThat(browser.text(By.id("refusal"))).contains(refused).contains("cannot sweep 127.79.0.1: no raw sockets");
            assertThat(browser.text(By.id("networks"))).isEqualTo("127.79.0.1/32");
            assertThat(browser.text(By.id("agent-targets"))).contains("127.79.0.1").contains("22").contains("443").contains("router-1");
            browser.screenshot("agent-refusing");

            // "catching-up" applies its config: the table changes without a reload
            browser.open("/agents?tenant=" + tenant);
            assertThat(badges(browser, "catching-up")).containsExactly("online", "pending");
            poll(agent, "catching-up", current, "");
            AgentPolls.flush(gateway);
            // the page asks again every 10 s
            browser.waitFor(Duration.ofSeconds(30), d -> badges(browser, "catching-up").equals(List.of("online", "in sync")));
            browser.waitFor(Duration.ofSeconds(30), d -> browser.text(By.cssSelector("[data-summary=converged]")).equals("50 %"));
            browser.screenshot("agents-live");
        }
        // another tenant's admin does not find the agent's page
        as(tenantAdmin(createTenant("ui-agents-other")), ADMIN_PASSWORD).get().uri("/agents/{t}/site/a/refuser", tenant)
                .exchange().expectStatus().isNotFound();
    }

    private static String poll(AgentGatewayServiceGrpc.AgentGatewayServiceBlockingStub agent, String id, String applied, String rejected) {
        return agent.getConfig(AgentConfigRequest.newBuilder().setAgentId(id).setConfigVersion(applied).setRejectedConfigVersion(rejected)
                .setRejectReason(rejected.isEmpty() ? "" : "cannot sweep 127.79.0.1: no raw sockets").build()).getConfigVersion();
    }

    private static WebElement row(Browser browser, String agent) {
        return browser.driver().findElements(By.cssSelector("tr[data-agent]")).stream()
                .filter(r -> agent.equals(r.getAttribute("data-agent"))).findFirst().orElseThrow();
    }

    private static List<String> badges(Browser browser, String agent) {
        return row(browser, agent).findElements(By.cssSelector(".status")).stream().map(WebElement::getText).toList();
    }
}
