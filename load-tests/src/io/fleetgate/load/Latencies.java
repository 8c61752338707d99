package io.fleetgate.load;

import java.util.Arrays;

/** Latencies recorded by many threads; percentiles at the end. */
final class Latencies {

    private long[] nanos = new long[1024];
    private int count;

    synchronized void record(long value) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = value;
    }

    synchronized int count() {
        return count;
    }

    /** The percentile (0–100) in milliseconds. */
    synchronized double percentileMs(double percentile) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        int index = (int) Math.min(count - 1, Math.max(0, Math.ceil(percentile / 100.0 * count) - 1));
        return sorted[index] / 1_000_000.0;
    }
}
