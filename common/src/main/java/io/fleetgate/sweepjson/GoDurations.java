package io.fleetgate.sweepjson;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the original agents wrote them: {@code 5m}, {@code 2s}, {@code 1m30s}, {@code 500ms}, {@code 1h}. */
public final class GoDurations {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private GoDurations() {
    }

    public static Duration parse(String text) {
        String value = text.trim();
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = PART.matcher(value);
        double nanos = 0;
        int at = 0;
        while (matcher.find() && matcher.start() == at) {
            double amount = Double.parseDouble(matcher.group(1));
            nanos += amount * switch (matcher.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            at = matcher.end();
        }
        if (at != value.length() || at == 0) {
            throw new IllegalArgumentException("not a duration like 5m, 2s or 500ms: '" + text + "'");
        }
        return Duration.ofNanos((long) nanos);
    }

    public static String format(Duration duration) {
        if (duration.toMillis() % 60_000 == 0 && duration.toMinutes() > 0) {
            return duration.toMinutes() + "m";
        }
        if (duration.toMillis() % 1000 == 0) {
            return duration.toSeconds() + "s";
        }
        return duration.toMillis() + "ms";
    }
}
