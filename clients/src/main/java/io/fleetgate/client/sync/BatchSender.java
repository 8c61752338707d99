package io.fleetgate.client.sync;

import io.fleetgate.client.Backoff;
import io.fleetgate.client.sync.discovery.Inventory;
import io.fleetgate.proto.IntegrationSourceConfig;
import io.fleetgate.proto.ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.proto.SyncDevicesResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Streams an inventory through SyncDevices in batches, never more than {@code window}
 * unacknowledged. When the stream breaks it reconnects (exponential backoff with jitter) and
 * sends again from the first batch not acknowledged; replays are harmless on the gateway.
 */
final class BatchSender {

    private static final Logger log = LoggerFactory.getLogger(BatchSender.class);

    /** Counts of one inventory's delivery. */
    record Delivery(int batches, long created, long updated, long rejected, int resent) {
    }

    private final ReactorAgentGatewayServiceStub stub;
    private final String syncServiceId;
    private final int batchSize;
    private final int window;
    private final Duration firstBackoff;
    private final Duration maxBackoff;

    BatchSender(ReactorAgentGatewayServiceStub stub, String syncServiceId, int batchSize, int window, Duration firstBackoff,
                Duration maxBackoff) {
        this.stub = stub;
        this.syncServiceId = syncServiceId;
        this.batchSize = batchSize;
        this.window = window;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    Mono<Delivery> send(IntegrationSourceConfig source, Inventory inventory) {
        int batches = (inventory.size() + batchSize - 1) / batchSize;
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger resent = new AtomicInteger();
        AtomicLong created = new AtomicLong();
        AtomicLong updated = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AtomicInteger attempts = new AtomicInteger();
        return Mono.defer(() -> {
                    int from = acknowledged.get();
                    if (attempts.getAndIncrement() > 0) {
                        resent.addAndGet(Math.min(window, batches - from));
                        log.info("Source '{}': stream reconnected, sending again from batch {} of {}", source.getName(), from + 1, batches);
                    }
                    return attempt(source, inventory, from, batches, response -> {
                        if (response.getBatchSeq() != acknowledged.get() + 1L) {
                            throw new IllegalStateException("acknowledgement for batch " + response.getBatchSeq()
                                    + " while batch " + (acknowledged.get() + 1) + " was expected");
                        }
                        acknowledged.incrementAndGet();
                        created.addAndGet(response.getDevicesCreated());
                        updated.addAndGet(response.getDevicesUpdated());
                        rejected.addAndGet(response.getDevicesRejected());
                    });
                })
                .retryWhen(Backoff.transientFailures(firstBackoff, maxBackoff)
                        .doBeforeRetry(signal -> log.warn("Source '{}': SyncDevices failed ({}); retrying", source.getName(),
                                signal.failure().toString())))
                .then(Mono.fromSupplier(() -> new Delivery(batches, created.get(), updated.get(), rejected.get(), resent.get())));
    }

    /** One stream: batches {@code from}..{@code batches - 1}, each sent when the window has room. */
    private Mono<Void> attempt(IntegrationSourceConfig source, Inventory inventory, int from, int batches,
                               java.util.function.Consumer<SyncDevicesResponse> onAck) {
        if (from >= batches) {
            return Mono.empty();
        }
        Sinks.Many<Integer> acks = Sinks.many().unicast().onBackpressureBuffer();
        Flux<Integer> permits = Flux.concat(Flux.range(0, window), acks.asFlux());
        Flux<SyncDevicesRequest> requests = Flux.range(from, batches - from)
                .zipWith(permits, 1, (batch, permit) -> request(source, inventory, batch));
        return stub.syncDevices(requests)
                .doOnNext(response -> {
                    onAck.accept(response);
                    acks.tryEmitNext(1);
                })
                .then();
    }

    private SyncDevicesRequest request(IntegrationSourceConfig source, Inventory inventory, int batch) {
        SyncDevicesRequest.Builder request = SyncDevicesRequest.newBuilder()
                .setSyncServiceId(syncServiceId)
                .setTenantId(source.getTenantId())
                .setIntegrationSourceId(source.getId())
                .setBatchSeq(batch + 1L);
        int end = Math.min(inventory.size(), (batch + 1) * batchSize);
        for (int i = batch * batchSize; i < end; i++) {
            request.addDevices(inventory.get(i));
        }
        return request.build();
    }
}
