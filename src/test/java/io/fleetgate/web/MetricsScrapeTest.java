package io.fleetgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.GatewayTest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
}
