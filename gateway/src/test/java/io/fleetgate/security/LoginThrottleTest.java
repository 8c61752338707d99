package io.fleetgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private final MutableClock clock = new MutableClock();
    private final LoginThrottle throttle = new LoginThrottle(new LoginProperties(3, 10, Duration.ofMinutes(15)), clock);

    @Test
    void theFreeFailuresCostNothingThenEachFurtherOneDoublesTheWait() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("alice", "10.0.0.1");
            assertThat(throttle.waitBefore("alice", "10.0.0.1")).isZero();
        }
        throttle.failed("alice", "10.0.0.1");
        assertWait(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(throttle.waitBefore("alice", "10.0.0.1")).isZero();
        throttle.failed("alice", "10.0.0.1");
        assertWait(Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(2));
        throttle.failed("alice", "10.0.0.1");
        assertWait(Duration.ofSeconds(4));
    }

    @Test
    void theWaitIsCappedAndAnAttackerWhoWaitsEachBlockOutKeepsTheLongestOne() {
        for (int i = 0; i < 30; i++) {
            throttle.failed("alice", "10.0.0.1");
        }
        assertWait(Duration.ofMinutes(15));
        clock.advance(Duration.ofMinutes(15));
        throttle.failed("alice", "10.0.0.1");
        assertWait(Duration.ofMinutes(15));
    }

    @Test
    void failuresAreForgottenOnceTheWaitHasBeenOverForTheMaximumBackoff() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("alice", "10.0.0.1");
        }
        clock.advance(Duration.ofSeconds(1).plus(Duration.ofMinutes(15)));
        throttle.failed("alice", "10.0.0.1");
        assertThat(throttle.waitBefore("alice", "10.0.0.1")).isZero();
    }

    @Test
    void theUserNameIsThrottledFromEveryAddressAndRegardlessOfCase() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("Alice", "10.0.0." + i);
        }
        assertThat(throttle.waitBefore("alice", "192.0.2.9")).isPositive();
        assertThat(throttle.waitBefore("bob", "192.0.2.9")).isZero();
    }

    @Test
    void anAddressGuessingManyNamesIsThrottledForEveryName() {
        for (int i = 0; i < 11; i++) {
            throttle.failed("user-" + i, "10.0.0.1");
        }
        assertThat(throttle.waitBefore("someone-else", "10.0.0.1")).isPositive();
        assertThat(throttle.waitBefore("someone-else", "10.0.0.2")).isZero();
    }

    @Test
    void aSuccessClearsTheUserNameButNotTheAddress() {
        for (int i = 0; i < 11; i++) {
            throttle.failed("alice", "10.0.0.1");
        }
        throttle.succeeded("alice");
        assertThat(throttle.waitBefore("alice", "10.0.0.2")).isZero();
        assertThat(throttle.waitBefore("alice", "10.0.0.1")).isPositive();
    }

    @Test
    void memoryIsBoundedByDroppingTheLeastRecentlyFailedKey() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("first", "10.0.0.1");
        }
        for (int i = 0; i < LoginThrottle.MAX_KEYS; i++) {
            throttle.failed("user-" + i, "10.1." + (i / 256 % 256) + "." + (i % 256));
        }
        assertThat(throttle.waitBefore("first", "192.0.2.1")).isZero();
    }

    /** The clock runs on between steps (MutableClock is the system clock plus an offset). */
    private void assertWait(Duration expected) {
        assertThat(throttle.waitBefore("alice", "10.0.0.1")).isBetween(expected.minusMillis(200), expected);
    }
}
