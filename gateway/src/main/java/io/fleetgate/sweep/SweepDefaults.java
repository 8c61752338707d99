package io.fleetgate.sweep;

import java.util.List;

/** What a sweep config falls back to, and its bounds. */
public record SweepDefaults(List<String> modes, int intervalSec, List<Integer> ports, int concurrency, int timeoutMs,
                            int maxTargets, int maxBytes) {
}
