package io.fleetgate.sync;

import io.fleetgate.concurrency.Slots;
import io.fleetgate.error.GatewayException;
import io.fleetgate.identity.IdentityResolver;
import io.fleetgate.proto.DeviceRejection;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.proto.SyncDevicesResponse;
import io.fleetgate.security.Caller;
import io.fleetgate.security.CredentialService;
import io.fleetgate.security.Ids;
import io.fleetgate.syncservice.SyncServiceLiveness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * SyncDevices: one request is one batch, one response per batch, in order, sent only after the
 * batch committed. The next batch is requested only when the previous one is done, so a
 * flooding client is held back by gRPC flow control; a cancelled stream rolls back the batch in
 * flight and releases its connection.
 */
@Component
public class SyncDevicesRpc {

    private static final Logger log = LoggerFactory.getLogger(SyncDevicesRpc.class);
    private static final String OPERATION = "SyncDevices";

    private final IngestService ingest;
    private final DeviceRepository repository;
    private final SyncServiceLiveness syncServices;
    private final IngestMetrics metrics;
    private final IngestProperties properties;
    private final DeviceValidator validator;
    private final CredentialService credentials;
    private final Slots<UUID> slots;
    private final Sinks.Empty<Void> draining = Sinks.empty();
    private volatile boolean drained;

    SyncDevicesRpc(IngestService ingest, DeviceRepository repository, SyncServiceLiveness syncServices, IngestMetrics metrics,
                   IngestProperties properties, CredentialService credentials) {
        this.credentials = credentials;
        this.slots = new Slots<>(properties.maxStreams(), properties.maxStreamsPerSyncService());
        metrics.streams(slots);
        this.ingest = ingest;
        this.repository = repository;
        this.syncServices = syncServices;
        this.metrics = metrics;
        this.properties = properties;
        this.validator = new DeviceValidator(properties);
    }

    /**
     * Shutdown, first step: open streams stop pulling batches; each acknowledges the batch it is
     * storing, then ends UNAVAILABLE, before the server's grace runs out and it cancels calls.
     */
    public void drain() {
        drained = true;
        draining.tryEmitEmpty();
    }

    private GatewayException shuttingDown() {
        return GatewayException.unavailable("the gateway is shutting down; every acknowledged batch is stored: "
                + "reconnect (to another replica) to send the rest");
    }

    public Flux<SyncDevicesResponse> syncDevices(Caller caller, Flux<SyncDevicesRequest> requests) {
        return Flux.defer(() -> {
            caller.requireSyncService(OPERATION);
            UUID syncService = caller.syncServiceId();
            Slots.Full full = slots.tryOpen(syncService);
            if (full == Slots.Full.KEY) {
                return Flux.error(GatewayException.exhausted("this sync service has " + properties.maxStreamsPerSyncService()
                        + " SyncDevices streams open already (FLEETGATE_INGEST_MAX_STREAMS_PER_SYNC_SERVICE); retry later"));
            }
            if (full == Slots.Full.TOTAL) {
                return Flux.error(GatewayException.exhausted("too many SyncDevices streams at once (" + properties.maxStreams()
                        + "); retry later"));
            }
            Stream stream = new Stream(caller);
            CredentialService.CredentialCheck credential = credentials.checkOf(caller);
            Sinks.Empty<Void> ended = Sinks.empty();
            // prefetch 0: the next batch is pulled only once this one has committed; each batch
            // first makes sure the credential still stands. After drain() none is stored any more.
            AtomicBoolean busy = new AtomicBoolean();
            Sinks.Empty<Void> idleAfterDrain = Sinks.empty();
            Flux<SyncDevicesResponse> batches = idleBounded(requests)
                    .concatMap(request -> {
                        if (drained) {
                            return Mono.error(shuttingDown());
                        }
                        busy.set(true);
                        return credential.verify().then(stream.batch(request)).doFinally(signal -> {
                            busy.set(false);
                            if (drained) {
                                idleAfterDrain.tryEmitEmpty();
                            }
                        });
                    }, 0)
                    .doOnComplete(ended::tryEmitEmpty);
            // at shutdown: once the batch in flight (if any) is stored and acknowledged, UNAVAILABLE
            Mono<SyncDevicesResponse> shutdown = Mono.firstWithSignal(ended.asMono().then(Mono.<SyncDevicesResponse>empty()),
                    draining.asMono().then(Mono.defer(() -> busy.get() ? idleAfterDrain.asMono() : Mono.<Void>empty()))
                            .then(Mono.error(this::shuttingDown)));
            // an open stream, idle or mid-batch, ends UNAUTHENTICATED as soon as its credential is revoked
            Mono<SyncDevicesResponse> revoked = credentials.revocations()
                    .takeUntilOther(ended.asMono())
                    .onBackpressureLatest()
                    .concatMap(change -> credential.verifyNow(), 1)
                    .then(Mono.empty());
            return Flux.merge(batches, revoked, shutdown).doFinally(signal -> slots.close(syncService));
        });
    }

    /**
     * Ends the stream UNAVAILABLE when no batch arrives for the idle timeout (counted from the
     * previous batch's arrival, so a batch being stored counts as activity only up to that bound),
     * so idle streams do not hold slots forever.
     */
    private Flux<SyncDevicesRequest> idleBounded(Flux<SyncDevicesRequest> requests) {
        Duration idle = properties.idleTimeout();
        return requests.timeout(idle, Flux.error(() -> GatewayException.unavailable("no batch for " + idle
                + " (FLEETGATE_INGEST_IDLE_TIMEOUT): stream closed; open a new one to send more")));
    }

    /** The state of one stream: the last batch number and the sources it has used. */
    private final class Stream {
        private final Caller caller;
        private final Map<String, SourceInfo> sources = new HashMap<>();
        private Long lastSeq;

        Stream(Caller caller) {
            this.caller = caller;
        }

        Mono<SyncDevicesResponse> batch(SyncDevicesRequest request) {
            return Mono.defer(() -> {
                if (lastSeq != null && Long.compareUnsigned(request.getBatchSeq(), lastSeq) <= 0) {
                    throw GatewayException.invalid("batch_seq", "must increase within a stream (" + Long.toUnsignedString(request.getBatchSeq())
                            + " after " + Long.toUnsignedString(lastSeq) + ")");
                }
                lastSeq = request.getBatchSeq();
                UUID tenant = caller.actingTenant(request.getTenantId(), OPERATION);
                caller.actingSyncService(request.getSyncServiceId(), OPERATION);
                return source(tenant, request.getIntegrationSourceId()).flatMap(source -> store(source, request));
            });
        }

        private Mono<SourceInfo> source(UUID tenant, String sourceId) {
            if (sourceId.isBlank()) {
                return Mono.error(GatewayException.invalid("integration_source_id", "required"));
            }
            SourceInfo known = sources.get(sourceId);
            if (known != null && known.tenantId().equals(tenant)) {
                return Mono.just(known);
            }
            UUID id = Ids.parse("integration_source_id", sourceId);
            return repository.source(id)
                    .filter(source -> source.tenantId().equals(tenant))
                    .switchIfEmpty(Mono.error(() -> GatewayException.notFound("no integration source " + id + " in tenant " + tenant)))
                    .map(source -> {
                        if (!source.syncServiceId().equals(caller.syncServiceId())) {
                            throw caller.deny(OPERATION, "integration source " + id + " is assigned to another sync service");
                        }
                        sources.put(sourceId, source);
                        return source;
                    });
        }

        private Mono<SyncDevicesResponse> store(SourceInfo source, SyncDevicesRequest request) {
            List<DeviceRejection> rejections = new ArrayList<>();
            LinkedHashMap<String, ValidDevice> unique = new LinkedHashMap<>();
            for (int i = 0; i < request.getDevicesCount(); i++) {
                var device = request.getDevices(i);
                DeviceValidator.Outcome outcome = validator.validate(device, source.sourceType());
                if (outcome instanceof DeviceValidator.Accepted accepted) {
                    // a key repeated in the batch: the last report wins, in the last position
                    unique.remove(accepted.device().deviceId());
                    unique.put(accepted.device().deviceId(), accepted.device());
                } else {
                    DeviceValidator.Rejected rejected = (DeviceValidator.Rejected) outcome;
                    metrics.rejected(rejected.reason());
                    rejections.add(DeviceRejection.newBuilder().setIndex(i).setDeviceId(abbreviate(device.getDeviceId()))
                            .setReason(rejected.message()).build());
                }
            }
            long started = System.nanoTime();
            Duration bound = properties.batchTimeout();
            return ingest.store(source, request.getBatchSeq(), List.copyOf(unique.values()))
                    // a database that stopped answering cannot fire its statement_timeout
                    .timeout(bound, Mono.error(() -> GatewayException.unavailable("batch " + request.getBatchSeq()
                            + " not stored within " + bound.toSeconds() + " s (FLEETGATE_INGEST_BATCH_TIMEOUT); rolled back, resend it")))
                    .map(stored -> {
                        metrics.committed(request.getDevicesCount(), stored.created(), stored.updated(),
                                Duration.ofNanos(System.nanoTime() - started));
                        guarded(source, request.getBatchSeq(), stored.guarded());
                        return SyncDevicesResponse.newBuilder()
                                .setBatchSeq(request.getBatchSeq())
                                .setSuccess(true)
                                .setDevicesProcessed(request.getDevicesCount())
                                .setDevicesCreated((int) stored.created())
                                .setDevicesUpdated((int) stored.updated())
                                .setDevicesRejected(rejections.size())
                                .addAllRejections(rejections)
                                .build();
                    })
                    .flatMap(response -> syncServices.recordTraffic(caller.syncServiceId())
                            .onErrorResume(error -> {
                                log.warn("Could not record sync service traffic: {}", error.toString());
                                return Mono.empty();
                            })
                            .thenReturn(response));
        }
    }

    /** Counts and logs the merges the guard refused in a committed batch (one line per batch). */
    private void guarded(SourceInfo source, long batchSeq, List<IdentityResolver.Guarded> guarded) {
        if (guarded.isEmpty()) {
            return;
        }
        guarded.forEach(metrics::guarded);
        IdentityResolver.Guarded first = guarded.get(0);
        log.atWarn().addKeyValue("tenant", source.tenantId()).addKeyValue("batch_seq", Long.toUnsignedString(batchSeq))
                .log("Merge guard: batch {} of integration source {} (tenant {}) would have joined {} devices into one through {} {}"
                        + "{}; stored them unmerged (FLEETGATE_MERGE_GUARD_MAX={})", Long.toUnsignedString(batchSeq), source.id(),
                source.tenantId(), first.devices(), first.kind(), first.key(),
                guarded.size() > 1 ? " and " + (guarded.size() - 1) + " more keys" : "", properties.mergeGuardMax());
    }

    private static String abbreviate(String value) {
        return value.length() > 256 ? value.substring(0, 256) : value;
    }
}
