package io.fleetgate.sync;

import io.fleetgate.concurrency.Slots;
import io.fleetgate.identity.IdentityResolver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/** Ingest metrics: devices by outcome, rejections by reason, batches, batch size, upsert latency, open streams. */
@Component
class IngestMetrics {

    private final Counter processed;
    private final Counter created;
    private final Counter updated;
    private final Map<RejectionReason, Counter> rejected = new EnumMap<>(RejectionReason.class);
    private final Counter batches;
    private final DistributionSummary batchSize;
    private final Timer upsert;
    private final MeterRegistry registry;
    private final Map<String, Counter> guarded = new HashMap<>();

    IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        // (Prometheus reserves the suffix _created, hence one "stored" counter with an outcome)
        processed = Counter.builder("fleetgate.devices.received").description("devices received in SyncDevices batches").register(registry);
        created = Counter.builder("fleetgate.devices.stored").description("devices stored: created for the first time, or updated")
                .tag("outcome", "created").register(registry);
        updated = Counter.builder("fleetgate.devices.stored").description("devices stored: created for the first time, or updated")
                .tag("outcome", "updated").register(registry);
        for (RejectionReason reason : RejectionReason.values()) {
            rejected.put(reason, Counter.builder("fleetgate.devices.rejected").description("devices rejected, by reason")
                    .tag("reason", reason.code()).register(registry));
        }
        batches = Counter.builder("fleetgate.sync.batches").description("SyncDevices batches committed").register(registry);
        // eight buckets, not Micrometer's default 276: the sizes senders choose, up to the largest batch allowed
        batchSize = DistributionSummary.builder("fleetgate.sync.batch.size").description("devices per SyncDevices batch")
                .serviceLevelObjectives(1, 10, 100, 500, 1000, 2000, 5000, 10_000).register(registry);
        for (String kind : new String[]{"mac", "ip"}) {
            guarded.put(kind, Counter.builder("fleetgate.identity.merge.guard")
                    .description("keys the merge guard kept from joining too many devices into one, by kind of key")
                    .tag("kind", kind).register(registry));
        }
        upsert = Timer.builder("fleetgate.sync.upsert").description("time to store one batch (one transaction)")
                .publishPercentileHistogram().register(registry);
    }

    /** The open SyncDevices streams, read from the slots that count them. */
    void streams(Slots<?> slots) {
        Gauge.builder("fleetgate.sync.streams.active", slots, Slots::open).description("SyncDevices streams open").register(registry);
    }

    void guarded(IdentityResolver.Guarded key) {
        guarded.get(key.kind()).increment();
    }

    void rejected(RejectionReason reason) {
        rejected.get(reason).increment();
    }

    void committed(int devices, long createdRows, long updatedRows, Duration took) {
        batches.increment();
        batchSize.record(devices);
        processed.increment(devices);
        created.increment(createdRows);
        updated.increment(updatedRows);
        upsert.record(took);
    }
}
