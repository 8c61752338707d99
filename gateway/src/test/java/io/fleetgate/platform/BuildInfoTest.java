package io.fleetgate.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.GatewayTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The build that runs, told alike by /actuator/info, fleetgate_build_info and the UI's footer. */
class BuildInfoTest extends GatewayTest {

    @Test
    void infoMetricAndFooterNameTheSameVersionAndCommit() {
        Map<?, ?> info = anonymous().get().uri("/actuator/info").exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        String version = (String) ((Map<?, ?>) info.get("build")).get("version");
        String commit = (String) ((Map<?, ?>) ((Map<?, ?>) info.get("git")).get("commit")).get("id");
        assertThat(version).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(commit).matches("[0-9a-f]{7,}");

        String scrape = anonymous().get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(scrape).containsPattern("fleetgate_build_info\\{[^}]*commit=\"" + commit + "\"[^}]*version=\"" + version.replace(".", "\\.")
                + "\"[^}]*\\} 1(\\.0)?\n");

        String page = admin().get().uri("/infrastructure/sync-services").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(page).contains("Fleetgate <span>" + version + "</span> · commit <span>" + commit + "</span>");
    }
}
