package io.fleetgate.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An agent's liveness and config status (SPEC 13.1), from what its polls and the changes since
 * say: online while it polled within 3 of its poll intervals; in sync when it applied the
 * version it should run, rejected when it refused that version, pending for 2 poll intervals
 * after that version changed, stale after. {@code AgentRepository}'s status SQL is this rule,
 * written for the database; a test holds the two to the same answers.
 */
public record AgentStatus(Liveness liveness, ConfigStatus configStatus, @Nullable String desiredVersion) {

    public enum Liveness {
        ONLINE, OFFLINE, NEVER_SEEN;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum ConfigStatus {
        IN_SYNC, PENDING, STALE, REJECTED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What is recorded of one agent.
     *
     * @param lastPoll      its latest recorded poll, null when it never polled
     * @param interval      the poll interval the gateway gave it
     * @param desired       the version handed out at its latest poll
     * @param desiredSince  since when that has been its version
     * @param changedAt     the latest change that may have altered its config (its devices or its tenant's sources)
     * @param registeredAt  its latest Hello
     */
    public record Facts(@Nullable Instant lastPoll, Duration interval, @Nullable String applied, @Nullable String rejected,
                        @Nullable String desired, @Nullable Instant desiredSince, @Nullable Instant changedAt, Instant registeredAt) {
    }

    public static AgentStatus of(Facts facts, Instant now) {
        Duration interval = facts.interval();
        Instant lastPoll = facts.lastPoll();
        Liveness liveness = lastPoll == null ? Liveness.NEVER_SEEN
                : lastPoll.isBefore(now.minus(interval.multipliedBy(3))) ? Liveness.OFFLINE : Liveness.ONLINE;
        // a change after its latest poll: the version it should run now was not handed out yet
        String desired = lastPoll != null && (facts.changedAt() == null || !facts.changedAt().isAfter(lastPoll)) ? facts.desired() : null;
        if (desired != null && desired.equals(facts.rejected())) {
            return new AgentStatus(liveness, ConfigStatus.REJECTED, desired);
        }
        if (desired != null && desired.equals(facts.applied())) {
            return new AgentStatus(liveness, ConfigStatus.IN_SYNC, desired);
        }
        Instant behindSince = desired != null ? (facts.desiredSince() == null ? lastPoll : facts.desiredSince())
                : latest(facts.changedAt(), facts.registeredAt());
        ConfigStatus status = now.isBefore(behindSince.plus(interval.multipliedBy(2))) ? ConfigStatus.PENDING : ConfigStatus.STALE;
        return new AgentStatus(liveness, status, desired);
    }

    private static Instant latest(@Nullable Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }
}
