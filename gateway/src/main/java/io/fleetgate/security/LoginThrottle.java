package io.fleetgate.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Exponential backoff after wrong passwords, per user name and per client address: past the free
 * failures each further one doubles the wait (1 s, 2 s, 4 s … up to the maximum). A success clears
 * the user name only, so signing in to one's own account does not reset an address that guesses
 * others'. Failures are forgotten once a key's wait has been over for the maximum backoff, so an
 * attacker who waits out each block keeps the longest wait. Memory is
 * bounded: past {@link #MAX_KEYS} keys the least recently failed is dropped.
 */
public final class LoginThrottle {

    static final int MAX_KEYS = 100_000;
    private static final Duration FIRST_WAIT = Duration.ofSeconds(1);

    private final LoginProperties properties;
    private final Clock clock;
    private final Map<String, Failures> failures = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > MAX_KEYS;
        }
    };

    public LoginThrottle(LoginProperties properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
    }

    /** How long this user name from this address must still wait before a password is checked; zero when it need not. */
    public synchronized Duration waitBefore(String username, String address) {
        Instant now = clock.instant();
        Duration user = remaining(userKey(username), now);
        Duration client = remaining(addressKey(address), now);
        return user.compareTo(client) >= 0 ? user : client;
    }

    public synchronized void failed(String username, String address) {
        Instant now = clock.instant();
        record(userKey(username), properties.freeFailuresPerUser(), now);
        record(addressKey(address), properties.freeFailuresPerAddress(), now);
    }

    public synchronized void succeeded(String username) {
        failures.remove(userKey(username));
    }

    private void record(String key, int free, Instant now) {
        Failures previous = failures.get(key);
        int count = previous == null || previous.forgotten(now, properties.maxBackoff()) ? 1 : previous.count() + 1;
        failures.put(key, new Failures(count, now.plus(backoff(count - free))));
    }

    private Duration remaining(String key, Instant now) {
        Failures entry = failures.get(key);
        if (entry == null || !entry.blockedUntil().isAfter(now)) {
            return Duration.ZERO;
        }
        return Duration.between(now, entry.blockedUntil());
    }

    /** Zero for the free failures, then 1 s doubling per failure, capped. */
    Duration backoff(int failuresPastFree) {
        if (failuresPastFree <= 0) {
            return Duration.ZERO;
        }
        Duration max = properties.maxBackoff();
        int doublings = failuresPastFree - 1;
        if (doublings >= 40) {
            return max;
        }
        Duration wait = FIRST_WAIT.multipliedBy(1L << doublings);
        return wait.compareTo(max) > 0 ? max : wait;
    }

    private static String userKey(String username) {
        return "user:" + username.toLowerCase(Locale.ROOT);
    }

    private static String addressKey(String address) {
        return "address:" + address;
    }

    private record Failures(int count, Instant blockedUntil) {
        boolean forgotten(Instant now, Duration quiet) {
            return !blockedUntil.plus(quiet).isAfter(now);
        }
    }
}
