package io.fleetgate.sync;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** SyncDevices streams open per sync service, each service held below its own cap. */
final class StreamSlots {

    private final int perSyncService;
    private final ConcurrentHashMap<UUID, Integer> open = new ConcurrentHashMap<>();

    StreamSlots(int perSyncService) {
        this.perSyncService = perSyncService;
    }

    /** Takes a slot of the sync service; false when it holds all of its own already. */
    boolean tryOpen(UUID syncService) {
        boolean[] taken = {false};
        open.compute(syncService, (service, count) -> {
            int current = count == null ? 0 : count;
            if (current >= perSyncService) {
                return count;
            }
            taken[0] = true;
            return current + 1;
        });
        return taken[0];
    }

    void close(UUID syncService) {
        open.computeIfPresent(syncService, (service, count) -> count <= 1 ? null : count - 1);
    }

    int open(UUID syncService) {
        return open.getOrDefault(syncService, 0);
    }
}
