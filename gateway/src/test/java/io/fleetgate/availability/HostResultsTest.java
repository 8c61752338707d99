package io.fleetgate.availability;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.proto.DeviceRejection;
import io.fleetgate.proto.HostResult;
import io.fleetgate.proto.SweepResultsBatch;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostResultsTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final HostResults.Limits LIMITS = new HostResults.Limits(4, 3, Duration.ofMinutes(5), Duration.ofHours(24));
    private static final Set<String> TARGETS = Set.of("127.6.0.1", "127.6.0.2", "::1");

    private static HostResult.Builder host(String ip) {
        return HostResult.newBuilder().setIp(ip).setObservedAt(NOW.toEpochMilli());
    }

    private static HostResults.Outcome check(HostResult.Builder... hosts) {
        SweepResultsBatch.Builder batch = SweepResultsBatch.newBuilder().setAgentId("a").setBatchSeq(1)
                .setSweepStartedAt(NOW.minusSeconds(30).toEpochMilli());
        for (HostResult.Builder host : hosts) {
            batch.addHosts(host);
        }
        return HostResults.check(batch.build(), TARGETS, NOW, LIMITS);
    }

    private static String reason(HostResults.Outcome outcome, int index) {
        return outcome.rejections().stream().filter(r -> r.getIndex() == index).map(DeviceRejection::getReason).findFirst().orElse("");
    }

    @Test
    void eachBadHostIsRejectedWithItsReasonAndTheRestKept() {
        HostResults.Outcome outcome = check(
                host("127.6.0.1").setIcmpAvailable(true),
                host("not-an-ip"),
                host("127.6.0.9"),
                host("127.6.0.2").addOpenPorts(0));
        assertThat(outcome.accepted()).extracting(HostResults.Accepted::ip).containsExactly("127.6.0.1");
        assertThat(reason(outcome, 1)).startsWith("invalid_ip_address");
        assertThat(reason(outcome, 2)).startsWith("not_a_target: 127.6.0.9");
        assertThat(reason(outcome, 3)).startsWith("invalid_port: 0");
    }

    @Test
    void portsTimesAndRoundTripsAreBounded() {
        assertThat(reason(check(host("127.6.0.1").addOpenPorts(22).addClosedPorts(22)), 0)).isEqualTo("invalid_port: 22 is in two lists");
        assertThat(reason(check(host("127.6.0.1").addOpenPorts(1).addOpenPorts(2).addOpenPorts(3).addOpenPorts(4)), 0))
                .startsWith("invalid_port: 4 ports in one list");
        assertThat(reason(check(host("127.6.0.1").addFilteredPorts(70000)), 0)).startsWith("invalid_port: 70000");
        assertThat(reason(check(host("127.6.0.1").setIcmpRttUs(-1)), 0)).startsWith("invalid_rtt");
        assertThat(reason(check(host("127.6.0.1").setObservedAt(NOW.plus(Duration.ofMinutes(10)).toEpochMilli())), 0))
                .startsWith("invalid_timestamp: observed_at").contains("ahead");
        assertThat(reason(check(host("127.6.0.1").setObservedAt(NOW.minus(Duration.ofDays(2)).toEpochMilli())), 0))
                .startsWith("invalid_timestamp: observed_at").contains("older");
        // unset: the sweep's start
        assertThat(check(host("127.6.0.1").setObservedAt(0)).accepted().get(0).observedAt()).isEqualTo(NOW.minusSeconds(30).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    @Test
    void aBatchPastItsBoundKeepsItsFirstHostsAndAnIpReportedTwiceCountsOnceAsLastSaid() {
        HostResults.Outcome outcome = check(host("127.6.0.1"), host("127.6.0.2"), host("127.6.0.1").addOpenPorts(80),
                host("::1"), host("127.6.0.2"));
        assertThat(reason(outcome, 4)).startsWith("batch_too_large");
        assertThat(outcome.accepted()).extracting(HostResults.Accepted::ip).containsExactly("127.6.0.2", "127.6.0.1", "::1");
        assertThat(outcome.accepted().get(1).answered()).as("an open port is an answer").isTrue();
        assertThat(outcome.accepted().get(0).answered()).isFalse();
    }

    @Test
    void addressesAreComparedInTheirCanonicalForm() {
        assertThat(check(host("0:0:0:0:0:0:0:1").addClosedPorts(22)).accepted()).singleElement().satisfies(a -> {
            assertThat(a.ip()).isEqualTo("::1");
            assertThat(a.answered()).as("a refused port is an answer: the host is there").isTrue();
        });
    }

    @Test
    void aSweepStartedInTheFutureRejectsEveryHost() {
        SweepResultsBatch batch = SweepResultsBatch.newBuilder().setAgentId("a").setBatchSeq(1)
                .setSweepStartedAt(NOW.plus(Duration.ofHours(1)).toEpochMilli()).addHosts(host("127.6.0.1")).build();
        HostResults.Outcome outcome = HostResults.check(batch, TARGETS, NOW, LIMITS);
        assertThat(outcome.accepted()).isEmpty();
        assertThat(outcome.rejections().get(0).getReason()).startsWith("invalid_timestamp: sweep_started_at");
    }
}
