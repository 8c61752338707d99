package io.fleetgate.availability;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What one more observation of a host does to its state, as one agent sees it. Pure.
 *
 * <ul>
 *   <li>A host that answers (ICMP, or any TCP port, open or refused) is {@code up} at once.</li>
 *   <li>A host that does not answer goes {@code down} only after {@code downAfter} consecutive
 *       sweeps without an answer: one lost probe does not make it flap.</li>
 *   <li>A host seen for the first time is {@code unknown} until it answers or stays silent long
 *       enough.</li>
 * </ul>
 */
public final class FlapDamping {

    public enum State {
        UNKNOWN, UP, DOWN;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static State of(String wireName) {
            return valueOf(wireName.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** A host's state as stored: the state, the silent sweeps in a row, since when the state holds. */
    public record Observed(State state, int failures, Instant since) {
    }

    /** The state after the observation; {@code transition} when it differs from the one before. */
    public record Next(State state, int failures, Instant since, boolean transition, State before) {
    }

    private FlapDamping() {
    }

    public static Next next(@Nullable Observed current, boolean answered, Instant at, int downAfter) {
        State before = current == null ? State.UNKNOWN : current.state();
        int failures = answered ? 0 : (current == null ? 0 : current.failures()) + 1;
        State state = answered ? State.UP : failures >= downAfter ? State.DOWN : before;
        boolean transition = state != before;
        Instant since = transition || current == null ? at : current.since();
        return new Next(state, failures, since, transition, before);
    }
}
