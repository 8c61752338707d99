package io.fleetgate.database;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Conversions between {@code timestamptz} values as R2DBC reads and binds them and {@link Instant};
 * and epoch microseconds, the form in which the many times of a set-based statement travel (a
 * number is cheaper to write here and to read there than a timestamp's text).
 */
public final class Timestamps {

    private Timestamps() {
    }

    public static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    public static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    /** Microseconds since the epoch, as PostgreSQL keeps a time ({@code timestamptz 'epoch' + n * interval '1 microsecond'}). */
    public static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    public static Instant micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
