package io.fleetgate.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.springframework.stereotype.Component;

/** Times as the UI shows them: "3 min ago", and the absolute UTC time beside it. */
@Component("times")
public class Times {

    private static final DateTimeFormatter ABSOLUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private final Clock clock;

    Times(Clock clock) {
        this.clock = clock;
    }

    public String relative(Instant at) {
        Duration ago = Duration.between(at, clock.instant());
        if (ago.isNegative() || ago.getSeconds() < 5) {
            return "just now";
        }
        if (ago.toMinutes() < 1) {
            return ago.getSeconds() + " s ago";
        }
        if (ago.toHours() < 1) {
            return ago.toMinutes() + " min ago";
        }
        if (ago.toDays() < 1) {
            return ago.toHours() + " h ago";
        }
        return ago.toDays() + " d ago";
    }

    public String absolute(Instant at) {
        return ABSOLUTE.format(at);
    }
}
