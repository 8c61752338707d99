package io.fleetgate.availability;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.availability.FlapDamping.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class FlapDampingTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    /** The states a sequence of sweeps leaves, one sweep every 5 minutes. */
    private static List<FlapDamping.Next> sweeps(int downAfter, boolean... answered) {
        List<FlapDamping.Next> states = new ArrayList<>();
        FlapDamping.Observed current = null;
        for (int i = 0; i < answered.length; i++) {
            FlapDamping.Next next = FlapDamping.next(current, answered[i], T0.plus(Duration.ofMinutes(5L * i)), downAfter);
            states.add(next);
            current = new FlapDamping.Observed(next.state(), next.failures(), next.since());
        }
        return states;
    }

    @Test
    void aHostIsUpAtItsFirstAnswer() {
        FlapDamping.Next first = sweeps(3, true).get(0);
        assertThat(first.state()).isEqualTo(State.UP);
        assertThat(first.transition()).isTrue();
        assertThat(first.before()).isEqualTo(State.UNKNOWN);
    }

    @Test
    void aHostGoesDownOnlyAfterThreeSilentSweepsInARowAndUpAgainAtOnce() {
        List<FlapDamping.Next> states = sweeps(3, true, false, false, true, false, false, false, false, true);
        assertThat(states).extracting(FlapDamping.Next::state).containsExactly(State.UP, State.UP, State.UP, State.UP, State.UP, State.UP,
                State.DOWN, State.DOWN, State.UP);
        assertThat(states).extracting(FlapDamping.Next::transition).containsExactly(true, false, false, false, false, false, true, false,
                true);
        assertThat(states.get(6).since()).as("down since the third silent sweep").isEqualTo(T0.plus(Duration.ofMinutes(30)));
        assertThat(states.get(7).since()).isEqualTo(states.get(6).since());
        assertThat(states.get(7).failures()).isEqualTo(4);
        assertThat(states.get(8).failures()).isZero();
    }

    @Test
    void aNewHostThatNeverAnswersIsUnknownUntilItHasBeenSilentLongEnough() {
        assertThat(sweeps(3, false, false, false)).extracting(FlapDamping.Next::state).containsExactly(State.UNKNOWN, State.UNKNOWN, State.DOWN);
        assertThat(sweeps(1, false)).extracting(FlapDamping.Next::state).containsExactly(State.DOWN);
    }

    /**
     * For any sequence: the host is up iff it answered in the last sweep or in one of the fewer
     * than N sweeps before, the silent ones since; down iff the last N or more were silent after
     * it was seen; and history gets exactly one row per change of state.
     */
    @Property
    void theStateFollowsTheLastAnswerAndTheSilenceSinceIt(@ForAll @Size(min = 1, max = 40) List<Boolean> answered,
                                                          @ForAll @IntRange(min = 1, max = 5) int downAfter) {
        boolean[] sweeps = new boolean[answered.size()];
        for (int i = 0; i < sweeps.length; i++) {
            sweeps[i] = answered.get(i);
        }
        List<FlapDamping.Next> states = sweeps(downAfter, sweeps);
        int silent = 0;
        boolean everAnswered = false;
        State previous = State.UNKNOWN;
        for (int i = 0; i < sweeps.length; i++) {
            silent = sweeps[i] ? 0 : silent + 1;
            everAnswered |= sweeps[i];
            State expected = silent >= downAfter ? State.DOWN : everAnswered ? State.UP : State.UNKNOWN;
            assertThat(states.get(i).state()).as("sweep %d of %s", i, answered).isEqualTo(expected);
            assertThat(states.get(i).transition()).isEqualTo(expected != previous);
            previous = expected;
        }
    }
}
