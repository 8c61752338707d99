package io.fleetgate.client.agent;

import io.fleetgate.client.Backoff;
import io.fleetgate.proto.HostResult;
import io.fleetgate.proto.ReactorAgentGatewayServiceGrpc;
import io.fleetgate.proto.SweepResultsAck;
import io.fleetgate.proto.SweepResultsBatch;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Streams each sweep's results to the gateway (ReportSweepResults) in batches of at most
 * {@code batchSize} hosts, never more than {@code window} unacknowledged. A broken stream is opened
 * again (backoff with jitter) and sent from the first batch not acknowledged. Only the targets of a
 * config the gateway handed out are reported. Sweeping never waits for this: results a sweep could
 * not deliver before the next sweep finished are dropped (counted and logged), so memory holds at
 * most one sweep's results. A gateway without the call (UNIMPLEMENTED) is not asked again.
 */
final class ResultReporter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ResultReporter.class);

    private final ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub stub;
    private final String agentId;
    private final int batchSize;
    private final int window;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final AtomicBoolean unsupported = new AtomicBoolean();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Disposable running;

    ResultReporter(ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub stub, String agentId, Flux<SweepResult> sweeps,
                   int batchSize, int window, Duration firstBackoff, Duration maxBackoff) {
        this.stub = stub;
        this.agentId = agentId;
        this.batchSize = batchSize;
        this.window = window;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        // a newer sweep's results replace the ones still being sent (switchMap cancels their delivery)
        this.running = sweeps.filter(ResultReporter::fromGateway)
                .switchMap(sweep -> unsupported.get() ? Mono.<Void>empty() : deliver(sweep))
                .subscribe();
    }

    /** Sweeps of a config the gateway handed out (a local sweep.json's targets are no targets of the gateway's). */
    private static boolean fromGateway(SweepResult sweep) {
        return "getconfig".equals(sweep.origin()) && !sweep.configVersion().isEmpty();
    }

    /** Sweeps whose results reached the gateway, and sweeps whose results were dropped. */
    long delivered() {
        return delivered.get();
    }

    long dropped() {
        return dropped.get();
    }

    /** Whether the gateway answered UNIMPLEMENTED: results are no longer sent to it. */
    boolean gatewayLacksTheCall() {
        return unsupported.get();
    }

    private Mono<Void> deliver(SweepResult sweep) {
        List<HostResult> hosts = sweep.targets().stream().filter(target -> !"network".equals(target.source()))
                .map(ResultReporter::hostResult).toList();
        int batches = Math.max(1, (hosts.size() + batchSize - 1) / batchSize);
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        return Mono.defer(() -> attempt(sweep, hosts, acknowledged.get(), batches, ack -> {
                    acknowledged.incrementAndGet();
                    rejected.addAndGet(ack.getHostsRejected());
                    if (ack.getHostsRejected() > 0) {
                        log.debug("Gateway rejected {} host results: {}", ack.getHostsRejected(), ack.getRejections(0).getReason());
                    }
                }).then(Mono.defer(() -> acknowledged.get() < batches
                        // a stream that ended before every batch was acknowledged broke: send the rest again
                        ? Mono.error(Status.UNAVAILABLE.withDescription("the stream ended after " + acknowledged.get() + " of " + batches
                        + " acknowledgements").asRuntimeException())
                        : Mono.<Void>empty())))
                .retryWhen(Backoff.transientFailures(firstBackoff, maxBackoff)
                        .doBeforeRetry(signal -> log.warn("ReportSweepResults failed ({}); sending again from batch {} of {}",
                                signal.failure().toString(), acknowledged.get() + 1, batches)))
                .doOnSuccess(ignored -> {
                    done.set(true);
                    delivered.incrementAndGet();
                    log.info("Sweep results sent: {} hosts in {} batches{}", hosts.size(), batches,
                            rejected.get() > 0 ? ", " + rejected.get() + " rejected by the gateway" : "");
                })
                .doOnCancel(() -> {
                    if (!done.get()) {
                        dropped.incrementAndGet();
                        log.warn("Results of the sweep of {} dropped: the next sweep finished before they could be sent ({} of {} batches "
                                + "acknowledged; {} sweeps dropped so far)", sweep.sweptAt(), acknowledged.get(), batches, dropped.get());
                    }
                })
                .onErrorResume(error -> {
                    if (Status.fromThrowable(error).getCode() == Status.Code.UNIMPLEMENTED) {
                        unsupported.set(true);
                        log.info("The gateway does not take sweep results (UNIMPLEMENTED); not reporting them");
                    } else {
                        dropped.incrementAndGet();
                        log.warn("Results of the sweep of {} dropped: {}", sweep.sweptAt(), error.toString());
                    }
                    return Mono.empty();
                });
    }

    /** One stream: batches {@code from}..{@code batches - 1}, each sent when the window has room. */
    private Mono<Void> attempt(SweepResult sweep, List<HostResult> hosts, int from, int batches, java.util.function.Consumer<SweepResultsAck> onAck) {
        if (from >= batches) {
            return Mono.empty();
        }
        Sinks.Many<Integer> acks = Sinks.many().unicast().onBackpressureBuffer();
        Flux<Integer> permits = Flux.concat(Flux.range(0, window), acks.asFlux());
        Flux<SweepResultsBatch> requests = Flux.range(from, batches - from)
                .zipWith(permits, 1, (batch, permit) -> batch(sweep, hosts, batch, batches));
        return stub.reportSweepResults(requests)
                .doOnNext(ack -> {
                    onAck.accept(ack);
                    acks.tryEmitNext(1);
                })
                .then();
    }

    private SweepResultsBatch batch(SweepResult sweep, List<HostResult> hosts, int batch, int batches) {
        return SweepResultsBatch.newBuilder()
                .setAgentId(agentId)
                .setBatchSeq(batch + 1L)
                .setConfigVersion(sweep.configVersion())
                .setSweepStartedAt(sweep.startedAt().toEpochMilli())
                .setSweepComplete(batch == batches - 1)
                .addAllHosts(hosts.subList(Math.min(hosts.size(), batch * batchSize), Math.min(hosts.size(), (batch + 1) * batchSize)))
                .build();
    }

    private static HostResult hostResult(SweepResult.TargetResult target) {
        HostResult.Builder host = HostResult.newBuilder()
                .setIp(target.ip())
                .setIcmpAvailable(Boolean.TRUE.equals(target.icmp()))
                .addAllOpenPorts(target.openPorts())
                .addAllClosedPorts(target.closedPorts())
                .addAllFilteredPorts(target.filteredPorts())
                .setObservedAt(target.observedAt().toEpochMilli());
        if (target.icmpRttUs() != null) {
            host.setIcmpRttUs(target.icmpRttUs());
        }
        return host.build();
    }

    @Override
    public void close() {
        running.dispose();
    }
}
