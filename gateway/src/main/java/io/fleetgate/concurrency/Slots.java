package io.fleetgate.concurrency;

import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Open streams: at most {@code total} in all, and at most {@code perKey} of one key (a sync
 * service, a tenant) below the total, so one key cannot take every slot. Both counts change under
 * one lock, so a refused stream never holds a slot of either.
 */
public final class Slots<K> {

    /** Which bound refused a stream. */
    public enum Full { TOTAL, KEY }

    private final int total;
    private final int perKey;
    private final Map<K, Integer> open = new HashMap<>();
    private int openInAll;

    public Slots(int total, int perKey) {
        this.total = total;
        this.perKey = perKey;
    }

    /** Takes a slot for the key; null when taken, else which bound is full. */
    public synchronized @Nullable Full tryOpen(K key) {
        int mine = open.getOrDefault(key, 0);
        if (mine >= perKey) {
            return Full.KEY;
        }
        if (openInAll >= total) {
            return Full.TOTAL;
        }
        open.put(key, mine + 1);
        openInAll++;
        return null;
    }

    /** Gives the slot back; a close without an open changes nothing. */
    public synchronized void close(K key) {
        Integer mine = open.get(key);
        if (mine == null) {
            return;
        }
        if (mine <= 1) {
            open.remove(key);
        } else {
            open.put(key, mine - 1);
        }
        openInAll--;
    }

    public synchronized int open(K key) {
        return open.getOrDefault(key, 0);
    }

    public synchronized int open() {
        return openInAll;
    }
}
