package io.fleetgate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fleetgate.platform.GatewayStartup;
import io.fleetgate.proto.SyncServiceHelloRequest;
import io.fleetgate.test.AdminClient;
import io.fleetgate.test.Browser;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.Gateways;
import io.fleetgate.test.GrpcClients;
import io.fleetgate.test.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.context.ConfigurableApplicationContext;

/** The web UI in headless Chromium against the running gateway. */
class UiBrowserTest extends GatewayTest {

    @BeforeAll
    static void browserPresent() {
        assumeTrue(Browser.available(), "Debian's chromium and chromium-driver are not installed (.ci/run installs them)");
    }

    private Browser browser() {
        return new Browser("http://127.0.0.1:" + httpPort);
    }

    @Test
    void withoutAnySyncServiceTheBannerShowsAndAddIntegrationIsDisabled() {
        String database = TestDatabase.createDatabase("fleetgate_ui");
        try (ConfigurableApplicationContext gateway = Gateways.start(database, Map.of(
                "fleetgate.platform.sync.enabled", "false", "fleetgate.platform.admin-password", ADMIN_PASSWORD));
             Browser browser = new Browser("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port"))) {
            gateway.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
            UUID tenant = new AdminClient(gateway, ADMIN_PASSWORD).tenant("nosync");
            browser.signIn("admin", ADMIN_PASSWORD).open("/integrations?tenant=" + tenant);
            assertThat(browser.text(By.id("no-sync-banner"))).contains("No sync service available");
            WebElement add = browser.find(By.id("add-integration"));
            assertThat(add.getAttribute("class")).contains("disabled");
            assertThat(add.getAttribute("aria-disabled")).isEqualTo("true");
            assertThat(browser.find(By.linkText("Add an on-prem sync service")).getAttribute("href"))
                    .contains("/infrastructure/sync-services/new?tenant=" + tenant);
            browser.screenshot("integrations-no-sync-service");
        }
    }

    @Test
    void aTenantAdminCreatesAnIntegrationOnTheSyncServiceItChose() {
        UUID tenant = createTenant("ui-acme");
        Onboarded onPrem = onboardSyncService(tenant);
        Map<?, ?> details = admin().get().uri("/api/v1/sync-services/{id}", onPrem.id()).exchange()
                .expectBody(Map.class).returnResult().getResponseBody();
        String name = (String) ((Map<?, ?>) details.get("sync_service")).get("name");
        String user = tenantAdmin(tenant);
        try (Browser browser = browser()) {
            browser.signIn(user, ADMIN_PASSWORD).open("/integrations");
            assertThat(browser.driver().findElements(By.id("nav-infrastructure"))).isEmpty();
            assertThat(browser.driver().findElements(By.id("no-sync-banner"))).isEmpty();
            browser.find(By.id("add-integration")).click();
            browser.waitFor(d -> d.getCurrentUrl().contains("/integrations/new"));
            List<String> options = new Select(browser.find(By.id("syncServiceId"))).getOptions().stream().map(WebElement::getText).toList();
            assertThat(options).anyMatch(o -> o.startsWith("Fleetgate SaaS sync (SaaS)")).anyMatch(o -> o.startsWith(name + " (on-prem)"));

            // server-side validation shows in the form
            browser.find(By.id("settings")).clear();
            browser.find(By.id("settings")).sendKeys("{\"count\": \"many\"}");
            browser.find(By.id("save-integration")).click();
            browser.waitFor(d -> !d.findElements(By.cssSelector(".field-error")).isEmpty());
            assertThat(browser.find(By.cssSelector(".field-error")).getText()).contains("name");
            browser.screenshot("integration-form-errors");

            browser.find(By.id("name")).sendKeys("Lab <script>alert(1)</script>");
            browser.find(By.id("settings")).clear();
            browser.find(By.id("settings")).sendKeys("{\"count\": 5, \"networks\": [\"127.70.0.0/28\"]}");
            browser.find(By.id("agentUid")).sendKeys("agent-ui");
            browser.find(By.id("defaultPorts")).sendKeys("22, 443");
            new Select(browser.find(By.id("syncServiceId"))).selectByValue(onPrem.id().toString());
            browser.find(By.id("save-integration")).click();
            browser.waitFor(d -> d.getCurrentUrl().contains("/integrations?tenant="));

            WebElement row = browser.find(By.cssSelector("tr[data-integration]"));
            assertThat(row.findElement(By.tagName("strong")).getText()).isEqualTo("Lab <script>alert(1)</script>"); // escaped, shown as text
            assertThat(row.findElement(By.className("sync-service-name")).getText()).isEqualTo(name);
            WebElement status = row.findElement(By.className("status"));
            assertThat(status.getText()).isEqualTo("offline");
            assertThat(status.getAttribute("class")).contains("status-offline");
            browser.screenshot("integrations");
        }
    }

    @Test
    void aTenantAdminGets403OnSyncServices() {
        UUID tenant = createTenant("ui-tenant");
        String user = tenantAdmin(tenant);
        try (Browser browser = browser()) {
            browser.signIn(user, ADMIN_PASSWORD).open("/infrastructure/sync-services");
            assertThat(browser.find(By.tagName("h1")).getText()).startsWith("403");
            assertThat(browser.driver().findElements(By.id("nav-infrastructure"))).isEmpty();
            browser.screenshot("forbidden");
        }
        as(user, ADMIN_PASSWORD).get().uri("/infrastructure/sync-services").exchange().expectStatus().isForbidden();
    }

    @Test
    void aPlatformAdminOnboardsAnOnPremSyncSeesItsCredentialOnceAndWatchesItComeOnline() {
        UUID tenant = createTenant("ui-onprem");
        String tenantName = (String) admin().get().uri("/api/v1/tenants/{id}", tenant).exchange()
                .expectBody(Map.class).returnResult().getResponseBody().get("name");
        try (Browser browser = browser()) {
            browser.signIn("admin", ADMIN_PASSWORD).open("/integrations");
            browser.find(By.id("nav-infrastructure")).click();
            browser.waitFor(d -> d.getCurrentUrl().endsWith("/infrastructure/sync-services"));
            browser.screenshot("sync-services");
            browser.find(By.id("add-on-prem")).click();
            browser.find(By.id("name")).sendKeys("Datacenter UI");
            new Select(browser.find(By.id("tenantId"))).selectByVisibleText(tenantName);
            browser.find(By.id("create-sync")).click();
            browser.waitFor(d -> !d.findElements(By.id("credential")).isEmpty());
            String credential = browser.text(By.id("credential"));
            assertThat(credential).startsWith("fgs_");
            assertThat(browser.text(By.id("command"))).isEqualTo("java -jar fleetgate.jar sync --gateway 127.0.0.1:" + grpcServer.port()
                    + " --token " + credential);
            assertThat(browser.find(By.className("warning")).getText()).contains("will not be shown again");
            browser.screenshot("onboarded-credential");

            browser.find(By.linkText("Done")).click();
            browser.waitFor(d -> !d.findElements(By.id("sync-details")).isEmpty());
            assertThat(browser.driver().getPageSource()).doesNotContain(credential);
            browser.open("/infrastructure/sync-services");
            WebElement badge = browser.find(By.cssSelector("tr[data-sync-service='Datacenter UI'] .status"));
            assertThat(badge.getText()).isEqualTo("offline");
            assertThat(browser.driver().getPageSource()).doesNotContain(credential);
            browser.waitFor(d -> "connected".equals(d.findElement(By.tagName("body")).getAttribute("data-live-status")));

            // the sync service registers over gRPC; the page changes without a reload
            GrpcClients.blocking(channel(), credential).syncServiceHello(SyncServiceHelloRequest.newBuilder().setName("dc-ui")
                    .setVersion("1.0.0").addCapabilities("faker").build());
            browser.waitFor(d -> d.findElement(By.cssSelector("tr[data-sync-service='Datacenter UI'] .status")).getText().equals("online"));
            assertThat(browser.find(By.cssSelector("tr[data-sync-service='Datacenter UI'] .status")).getAttribute("class")).contains("status-online");
            assertThat(browser.text(By.cssSelector("tr[data-sync-service='Datacenter UI'] td[data-sync-heartbeat-id]"))).isEqualTo("just now");
            browser.screenshot("sync-services-online");

            browser.find(By.linkText("Datacenter UI")).click();
            browser.waitFor(d -> !d.findElements(By.id("sync-details")).isEmpty());
            assertThat(browser.text(By.id("sync-details"))).contains("1.0.0").contains("faker");
            browser.screenshot("sync-service-details");

            // rotation asks first (a script of the page's own origin: the CSP allows no inline handler)
            String detailsUrl = browser.driver().getCurrentUrl();
            browser.find(By.id("rotate")).click();
            var question = browser.driver().switchTo().alert();
            assertThat(question.getText()).contains("stops working at once");
            question.dismiss();
            assertThat(browser.driver().getCurrentUrl()).isEqualTo(detailsUrl);
            assertThat(codeOf(credential)).isEqualTo(io.grpc.Status.Code.OK);
            browser.find(By.id("rotate")).click();
            browser.driver().switchTo().alert().accept();
            browser.waitFor(d -> !d.findElements(By.id("credential")).isEmpty());
            assertThat(codeOf(credential)).isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
        }
    }

    private io.grpc.Status.Code codeOf(String credential) {
        return GrpcClients.codeOf(() -> GrpcClients.blocking(channel(), credential)
                .syncServiceHello(SyncServiceHelloRequest.newBuilder().setName("dc-ui").build()));
    }
}
