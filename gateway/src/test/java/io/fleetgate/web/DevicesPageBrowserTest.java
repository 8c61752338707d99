package io.fleetgate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
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
import reactor.core.publisher.Flux;

/**
 * The Devices pages in headless Chromium: the cards, the search box (hostname, CIDR, MAC), a source's
 * devices from the integrations page, a device's records side by side with its merge, and an unmerge
 * that asks first and needs a reason.
 */
class DevicesPageBrowserTest extends GatewayTest {

    @BeforeAll
    static void browserPresent() {
        assumeTrue(Browser.available(), "Debian's chromium and chromium-driver are not installed (.ci/run installs them)");
    }

    @Test
    void aTenantAdminFindsAWrongMergeSeesWhyAndUndoesIt() {
        UUID tenant = createTenant("ui-devices");
        Onboarded sync = onboardSyncService(tenant);
        UUID netbox = createSource(tenant, sync.id(), Map.of("source_type", "netbox", "endpoint", "https://netbox.example",
                "name", "NetBox HQ"));
        UUID faker = createSource(tenant, sync.id(), Map.of("name", "Lab scanner", "agent_uid", "sweeper-1", "default_ports", List.of(22)));
        send(sync, netbox, "netbox",
                device("nb-web", "web-01", "127.81.0.1", "00:1a:2b:81:00:01").setRawData(ByteString.copyFromUtf8("{\"rack\": \"B4\"}")),
                device("nb-db", "db-01", "127.81.0.2", "00:1a:2b:81:00:02"));
        // the scanner reports the web server's MAC on its own test box: a wrong merge
        send(sync, faker, "faker", device("fk-box", "lab-box", "127.81.1.9", "00:1a:2b:81:00:01"),
                device("fk-printer", "printer-3", "127.81.1.10", "00:1a:2b:81:00:03"));

        try (Browser browser = new Browser("http://127.0.0.1:" + httpPort)) {
            browser.signIn(tenantAdmin(tenant), ADMIN_PASSWORD).open("/integrations");
            // the integrations page links each source to its devices
            browser.driver().findElements(By.cssSelector("tr[data-integration]")).stream()
                    .filter(r -> "Lab scanner".equals(r.getAttribute("data-integration"))).findFirst().orElseThrow()
                    .findElement(By.cssSelector(".device-count a")).click();
            browser.waitFor(d -> !d.findElements(By.id("devices")).isEmpty());
            assertThat(hostnames(browser)).containsExactlyInAnyOrder("web-01", "printer-3");

            browser.find(By.id("nav-devices")).click();
            browser.waitFor(d -> "loaded".equals(browser.find(By.tagName("body")).getAttribute("data-device-summary")));
            assertThat(browser.text(By.cssSelector("[data-summary=devices]"))).isEqualTo("3");
            assertThat(browser.text(By.cssSelector("[data-summary=records]"))).isEqualTo("4");
            assertThat(browser.text(By.cssSelector("[data-summary=merged_devices]"))).isEqualTo("1");
            assertThat(browser.text(By.cssSelector("[data-summary=unassigned]"))).isEqualTo("1");
            assertThat(hostnames(browser)).containsExactlyInAnyOrder("web-01", "db-01", "printer-3");
            browser.screenshot("devices");

            search(browser, "127.81.0.0/24");
            assertThat(browser.driver().findElements(By.cssSelector("tr[data-device] td:first-child code")))
                    .extracting(WebElement::getText).containsExactly("127.81.0.1", "127.81.0.2");
            search(browser, "not a /cidr");
            assertThat(browser.text(By.id("filter-error"))).startsWith("q:");
            search(browser, "001A.2B81.0001");
            assertThat(hostnames(browser)).containsExactly("web-01");

            browser.find(By.linkText("web-01")).click();
            browser.waitFor(d -> !d.findElements(By.id("device-records")).isEmpty());
            assertThat(browser.text(By.cssSelector("#device-records thead"))).contains("NetBox HQ").contains("Lab scanner");
            assertThat(browser.text(By.id("device-records"))).contains("nb-web").contains("fk-box").contains("\"rack\" : \"B4\"");
            assertThat(browser.text(By.id("device-merges"))).contains("joined by a shared MAC").contains("00:1a:2b:81:00:01")
                    .contains("Lab scanner, batch 1");
            assertThat(browser.text(By.id("device-sweeps"))).contains("127.81.1.9").contains("sweeper-1").contains("22");
            browser.screenshot("device-merged");

            // unmerge asks first, and wants a reason
            browser.find(By.id("unmerge-fk-box")).click();
            browser.driver().switchTo().alert().accept();
            browser.waitFor(d -> !d.findElements(By.id("unmerge-error")).isEmpty());
            assertThat(browser.text(By.id("unmerge-error"))).startsWith("reason:");
            browser.find(By.id("reason-fk-box")).sendKeys("the lab's test box reports the web server's MAC");
            browser.find(By.id("unmerge-fk-box")).click();
            var question = browser.driver().switchTo().alert();
            assertThat(question.getText()).contains("fk-box");
            question.accept();
            browser.waitFor(d -> !d.findElements(By.id("split-banner")).isEmpty());
            assertThat(browser.find(By.tagName("h1")).getText()).isEqualTo("lab-box");
            assertThat(browser.text(By.id("device-merges"))).contains("split out of another device")
                    .contains("the lab's test box reports the web server's MAC");
            assertThat(browser.text(By.id("kept-apart"))).contains("fk-box from nb-web");
            browser.screenshot("device-unmerged");
        }
        assertThat(queryValue("SELECT count(DISTINCT canonical_device_id) FROM discovered_devices WHERE tenant_id = ?", tenant)).isEqualTo(4L);
    }

    @Test
    void aDevicesAvailabilityArrivesWithoutAReloadAndTheAgentsPageShowsItsLastSweep() {
        UUID tenant = createTenant("ui-availability");
        Onboarded sync = onboardSyncService(tenant);
        UUID lab = createSource(tenant, sync.id(), Map.of("name", "Lab", "agent_uid", "sweeper-9", "default_ports", List.of(22, 443)));
        send(sync, lab, "faker", device("fk-cam", "camera-7", "127.82.0.7", "00:1a:2b:82:00:07"));
        String token = agentToken(tenant);
        GrpcClients.blocking(channel(), token).hello(io.fleetgate.proto.AgentHelloRequest.newBuilder().setAgentId("sweeper-9").build());
        try (Browser browser = new Browser("http://127.0.0.1:" + httpPort)) {
            browser.signIn(tenantAdmin(tenant), ADMIN_PASSWORD).open("/devices?tenant=" + tenant);
            browser.find(By.linkText("camera-7")).click();
            browser.waitFor(d -> !d.findElements(By.id("device-observations")).isEmpty());
            assertThat(browser.text(By.cssSelector("[data-field=availability]"))).isEqualTo("unknown");

            // the agent sweeps the camera: port 22 answers, 443 is refused
            var acks = GrpcClients.reactor(channel(), token).reportSweepResults(Flux.just(io.fleetgate.proto.SweepResultsBatch.newBuilder()
                    .setAgentId("sweeper-9").setBatchSeq(1).setSweepComplete(true).setConfigVersion("v1")
                    .addHosts(io.fleetgate.proto.HostResult.newBuilder().setIp("127.82.0.7").setIcmpAvailable(true).setIcmpRttUs(140)
                            .addOpenPorts(22).addClosedPorts(443)).build())).collectList().block(Duration.ofSeconds(30));
            assertThat(acks.get(0).getHostsAccepted()).isEqualTo(1);
            // the page asks again every 10 s
            browser.waitFor(Duration.ofSeconds(30), d -> browser.text(By.cssSelector("[data-field=availability]")).equals("available"));
            browser.driver().navigate().refresh();
            assertThat(browser.text(By.id("device-observations"))).contains("sweeper-9").contains("up").contains("140 µs")
                    .contains("22").contains("443");
            browser.screenshot("device-availability");

            browser.find(By.linkText("sweeper-9")).click();
            browser.waitFor(d -> !d.findElements(By.id("last-sweep")).isEmpty());
            assertThat(browser.text(By.id("sweep-hosts"))).isEqualTo("1 / 0");
        }
    }

    private static void search(Browser browser, String text) {
        String before = browser.driver().getCurrentUrl();
        browser.find(By.id("q")).clear();
        browser.find(By.id("q")).sendKeys(text);
        browser.find(By.id("apply-filters")).click();
        browser.waitFor(d -> !d.getCurrentUrl().equals(before));
    }

    private static List<String> hostnames(Browser browser) {
        return browser.driver().findElements(By.cssSelector("a.device-link")).stream().map(WebElement::getText).toList();
    }

    private void send(Onboarded sync, UUID source, String type, DiscoveredDevice.Builder... devices) {
        SyncDevicesRequest.Builder batch = SyncDevicesRequest.newBuilder().setBatchSeq(1).setIntegrationSourceId(source.toString());
        for (DiscoveredDevice.Builder device : devices) {
            batch.addDevices(device.setSourceType(type));
        }
        GrpcClients.reactor(channel(), sync.credential()).syncDevices(Flux.just(batch.build())).blockLast(Duration.ofSeconds(30));
    }

    private static DiscoveredDevice.Builder device(String id, String hostname, String ip, String mac) {
        return DiscoveredDevice.newBuilder().setDeviceId(id).setHostname(hostname).addIpAddresses(ip).addMacAddresses(mac);
    }
}
