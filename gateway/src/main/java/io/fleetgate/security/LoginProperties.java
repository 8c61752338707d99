package io.fleetgate.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Sign-in throttling (FLEETGATE_LOGIN_*): how many wrong passwords a user name and a client address
 * get for free, and the longest wait the doubling backoff after them reaches.
 */
@ConfigurationProperties("fleetgate.login")
public record LoginProperties(
        int freeFailuresPerUser,
        int freeFailuresPerAddress,
        Duration maxBackoff) {
}
