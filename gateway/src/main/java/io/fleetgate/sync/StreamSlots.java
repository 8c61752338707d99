package io.fleetgate.sync;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * SyncDevices streams open: at most {@code total} in all, and at most {@code perSyncService} of
 * one sync service, below the total, so one service cannot take every slot. Both counts change
 * under one lock, so a refused stream never holds a slot of either.
 */
final class StreamSlots {

    /** Why a stream was refused. */
    enum Full { TOTAL, SYNC_SERVICE }

    private final int total;
    private final int perSyncService;
    private final Map<UUID, Integer> open = new HashMap<>();
    private int openInAll;

    StreamSlots(int total, int perSyncService) {
        this.total = total;
        this.perSyncService = perSyncService;
    }

    /** Takes a slot for the sync service; null when taken, else which bound is full. */
    synchronized Full tryOpen(UUID syncService) {
        int mine = open.getOrDefault(syncService, 0);
        if (mine >= perSyncService) {
            return Full.SYNC_SERVICE;
        }
        if (openInAll >= total) {
            return Full.TOTAL;
        }
        open.put(syncService, mine + 1);
        openInAll++;
        return null;
    }

    /** Gives the slot back; a close without an open changes nothing. */
    synchronized void close(UUID syncService) {
        Integer mine = open.get(syncService);
        if (mine == null) {
            return;
        }
        if (mine <= 1) {
            open.remove(syncService);
        } else {
            open.put(syncService, mine - 1);
        }
        openInAll--;
    }

    synchronized int open(UUID syncService) {
        return open.getOrDefault(syncService, 0);
    }

    synchronized int open() {
        return openInAll;
    }
}
