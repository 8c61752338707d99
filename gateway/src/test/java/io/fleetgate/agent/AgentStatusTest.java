package io.fleetgate.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.agent.AgentStatus.ConfigStatus;
import io.fleetgate.agent.AgentStatus.Facts;
import io.fleetgate.agent.AgentStatus.Liveness;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** SPEC 13.1's liveness and config status, one rule at a time, at the edges of their intervals. */
class AgentStatusTest {

    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    private static final Duration INTERVAL = Duration.ofSeconds(30);

    private static Facts polled(Instant at, String applied, String rejected, String desired, Instant desiredSince, Instant changedAt) {
        return new Facts(at, INTERVAL, applied, rejected, desired, desiredSince, changedAt, T0);
    }

    private static AgentStatus at(Facts facts, Duration after) {
        return AgentStatus.of(facts, T0.plus(after));
    }

    @Test
    void anAgentIsOnlineWithinThreePollIntervalsOfItsLastPollThenOffline() {
        Facts facts = polled(T0, "v1", null, "v1", T0, null);
        assertThat(at(facts, Duration.ZERO).liveness()).isEqualTo(Liveness.ONLINE);
        assertThat(at(facts, Duration.ofSeconds(90)).liveness()).isEqualTo(Liveness.ONLINE);
        assertThat(at(facts, Duration.ofSeconds(91)).liveness()).isEqualTo(Liveness.OFFLINE);
    }

    @Test
    void anAgentThatNeverPolledIsNeverSeenAndPendingUntilTwoIntervalsAfterItsHelloThenStale() {
        Facts facts = new Facts(null, INTERVAL, null, null, null, null, null, T0);
        assertThat(at(facts, Duration.ofSeconds(59))).isEqualTo(new AgentStatus(Liveness.NEVER_SEEN, ConfigStatus.PENDING, null));
        assertThat(at(facts, Duration.ofSeconds(60))).isEqualTo(new AgentStatus(Liveness.NEVER_SEEN, ConfigStatus.STALE, null));
    }

    @Test
    void appliedTheVersionItWasHandedIsInSyncHoweverLongAgo() {
        Facts facts = polled(T0, "v1", null, "v1", T0.minusSeconds(3600), null);
        assertThat(at(facts, Duration.ofDays(1))).isEqualTo(new AgentStatus(Liveness.OFFLINE, ConfigStatus.IN_SYNC, "v1"));
    }

    @Test
    void refusedTheVersionItWasHandedIsRejectedNotStale() {
        Facts facts = polled(T0, "v1", "v2", "v2", T0.minusSeconds(3600), null);
        assertThat(at(facts, Duration.ZERO)).isEqualTo(new AgentStatus(Liveness.ONLINE, ConfigStatus.REJECTED, "v2"));
    }

    @Test
    void aRefusalOfAnOlderVersionIsNotARefusalOfTheDesiredOne() {
        Facts facts = polled(T0, "v1", "v2", "v3", T0, null);
        assertThat(at(facts, Duration.ofSeconds(59)).configStatus()).isEqualTo(ConfigStatus.PENDING);
        assertThat(at(facts, Duration.ofSeconds(60)).configStatus()).isEqualTo(ConfigStatus.STALE);
    }

    @Test
    void behindItsDesiredVersionIsPendingForTwoIntervalsFromWhenThatVersionWasFirstHandedOut() {
        // handed v2 since 50 s before its latest poll: 10 s of pending left at that poll
        Facts facts = polled(T0, "v1", null, "v2", T0.minusSeconds(50), null);
        assertThat(at(facts, Duration.ofSeconds(9)).configStatus()).isEqualTo(ConfigStatus.PENDING);
        assertThat(at(facts, Duration.ofSeconds(10)).configStatus()).isEqualTo(ConfigStatus.STALE);
    }

    @Test
    void anAgentThatPolledButWasNeverAnsweredByThisRuleCountsFromItsPoll() {
        Facts facts = polled(T0, "v1", null, "v2", null, null);
        assertThat(at(facts, Duration.ofSeconds(59)).configStatus()).isEqualTo(ConfigStatus.PENDING);
        assertThat(at(facts, Duration.ofSeconds(60)).configStatus()).isEqualTo(ConfigStatus.STALE);
    }

    @Test
    void aChangeAfterItsLastPollMakesAnInSyncAgentPendingThenStaleWhenItDoesNotPollAgain() {
        Facts facts = polled(T0, "v1", null, "v1", T0, T0.plusSeconds(5));
        AgentStatus justAfter = at(facts, Duration.ofSeconds(6));
        assertThat(justAfter).isEqualTo(new AgentStatus(Liveness.ONLINE, ConfigStatus.PENDING, null));
        assertThat(at(facts, Duration.ofSeconds(64)).configStatus()).isEqualTo(ConfigStatus.PENDING);
        assertThat(at(facts, Duration.ofSeconds(65)).configStatus()).isEqualTo(ConfigStatus.STALE);
    }

    @Test
    void aChangeBeforeItsLastPollWasAlreadyInTheVersionItWasHanded() {
        Facts facts = polled(T0, "v2", null, "v2", T0, T0.minusSeconds(1));
        assertThat(at(facts, Duration.ofSeconds(1)).configStatus()).isEqualTo(ConfigStatus.IN_SYNC);
        // a change at the very instant of the poll too: the poll read it (changes commit before they are marked later)
        assertThat(at(polled(T0, "v2", null, "v2", T0, T0), Duration.ofSeconds(1)).configStatus()).isEqualTo(ConfigStatus.IN_SYNC);
    }

    @Test
    void aChangeMarkedBeforeAnAgentSaidHelloAgainCountsFromTheHello() {
        Instant hello = T0.plusSeconds(100);
        Facts facts = new Facts(null, INTERVAL, null, null, null, null, T0, hello);
        assertThat(AgentStatus.of(facts, hello.plusSeconds(59)).configStatus()).isEqualTo(ConfigStatus.PENDING);
        assertThat(AgentStatus.of(facts, hello.plusSeconds(60)).configStatus()).isEqualTo(ConfigStatus.STALE);
    }

    @Test
    void wireNamesAreTheSpecsWords() {
        assertThat(Liveness.NEVER_SEEN.wireName()).isEqualTo("never_seen");
        assertThat(ConfigStatus.IN_SYNC.wireName()).isEqualTo("in_sync");
    }
}
