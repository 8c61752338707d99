package io.fleetgate.syncservice;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/** Sync service metrics: services by status, transitions, hellos and heartbeats. */
@Component
class SyncServiceMetrics {

    private final Map<SyncStatus, AtomicLong> byStatus = new EnumMap<>(SyncStatus.class);
    private final Map<SyncStatus, Counter> transitions = new EnumMap<>(SyncStatus.class);
    private final Counter hellos;
    private final Counter heartbeats;

    SyncServiceMetrics(MeterRegistry registry) {
        for (SyncStatus status : SyncStatus.values()) {
            AtomicLong count = new AtomicLong();
            Gauge.builder("fleetgate.sync.services", count, AtomicLong::get).description("sync services, by status")
                    .tag("status", status.dbValue()).register(registry);
            byStatus.put(status, count);
            transitions.put(status, Counter.builder("fleetgate.sync.service.transitions")
                    .description("sync service status changes, by the status entered")
                    .tag("to", status.dbValue()).register(registry));
        }
        hellos = Counter.builder("fleetgate.sync.service.hellos").description("SyncServiceHello calls accepted").register(registry);
        heartbeats = Counter.builder("fleetgate.sync.service.heartbeats").description("SyncServiceHeartbeat calls accepted").register(registry);
    }

    void count(SyncStatus status, long services) {
        byStatus.get(status).set(services);
    }

    void transition(SyncStatus to) {
        transitions.get(to).increment();
    }

    void hello() {
        hellos.increment();
    }

    void heartbeat() {
        heartbeats.increment();
    }
}
