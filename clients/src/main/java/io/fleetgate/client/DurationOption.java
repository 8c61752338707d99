package io.fleetgate.client;

import io.fleetgate.sweepjson.GoDurations;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A duration option as the gateway's settings take them: {@code 60s}, {@code 5m}, {@code 500ms},
 * {@code 1d}, a bare number of milliseconds, or ISO-8601 {@code PT1M} (and {@code 1m30s}), parsed
 * here because the clients run without Spring.
 */
public final class DurationOption implements ITypeConverter<Duration> {

    private static final Pattern MILLIS = Pattern.compile("\\d+");
    private static final Pattern DAYS = Pattern.compile("(\\d+)d");

    @Override
    public Duration convert(String value) {
        Duration duration = parse(value.strip());
        if (duration.isNegative() || duration.isZero()) {
            throw new TypeConversionException("'" + value + "' is not a positive duration");
        }
        return duration;
    }

    private static Duration parse(String value) {
        try {
            if (value.startsWith("P") || value.startsWith("p")) {
                return Duration.parse(value);
            }
            if (MILLIS.matcher(value).matches()) {
                return Duration.ofMillis(Long.parseLong(value));
            }
            var days = DAYS.matcher(value);
            if (days.matches()) {
                return Duration.ofDays(Long.parseLong(days.group(1)));
            }
            return GoDurations.parse(value);
        } catch (IllegalArgumentException | DateTimeParseException | ArithmeticException e) {
            throw new TypeConversionException("'" + value + "' is not a duration like 60s, 5m, 500ms or PT1M");
        }
    }
}
