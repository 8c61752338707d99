package io.fleetgate.client.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.client.GatewayAddress;
import io.fleetgate.proto.AgentGatewayServiceGrpc;
import io.fleetgate.proto.ReactorAgentGatewayServiceGrpc;
import io.fleetgate.proto.SweepResultsAck;
import io.fleetgate.proto.SweepResultsBatch;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;

/**
 * The agent's side of ReportSweepResults, against a scripted gateway: a sweep's results in
 * batches, sent again from the first unacknowledged batch after a broken stream, dropped when the
 * next sweep finished first, and not sent at all to a gateway without the call.
 */
class ResultReporterTest {

    private final List<List<SweepResultsBatch>> streams = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    @Test
    void aBrokenStreamIsOpenedAgainAndSentFromItsFirstUnacknowledgedBatch() {
        AtomicInteger calls = new AtomicInteger();
        ResultReporter reporter = reporter((batch, response) -> {
            // the first stream breaks when its second batch arrives; the second stream is acknowledged throughout
            if (calls.get() == 1 && batch.getBatchSeq() == 2) {
                response.onError(Status.UNAVAILABLE.withDescription("gateway restarting").asRuntimeException());
            } else {
                response.onNext(SweepResultsAck.newBuilder().setBatchSeq(batch.getBatchSeq()).setHostsAccepted(batch.getHostsCount()).build());
            }
        }, calls, sweep(Instant.parse("2026-12-01T10:00:00Z"), 2500));
        await(() -> reporter.delivered() == 1);
        assertThat(streams).hasSize(2);
        assertThat(streams.get(0)).extracting(SweepResultsBatch::getBatchSeq).startsWith(1L, 2L);
        assertThat(streams.get(1)).extracting(SweepResultsBatch::getBatchSeq).containsExactly(2L, 3L);
        assertThat(streams.get(1)).extracting(SweepResultsBatch::getHostsCount).containsExactly(1000, 500);
        assertThat(streams.get(1)).extracting(SweepResultsBatch::getSweepComplete).containsExactly(false, true);
        assertThat(streams.get(1).get(0).getHosts(0).getIp()).isEqualTo(ip(1000));
        assertThat(streams.get(1).get(0).getSweepStartedAt()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z").toEpochMilli());
        assertThat(streams.get(1).get(0).getConfigVersion()).isEqualTo("v7");
    }

    @Test
    void resultsNotSentBeforeTheNextSweepFinishedAreDropped() {
        AtomicInteger calls = new AtomicInteger();
        Sinks.Many<SweepResult> sweeps = Sinks.many().replay().all();
        ResultReporter reporter = reporter((batch, response) -> {
            // the gateway takes the second sweep's batches only: the first one's wait forever
            if (batch.getSweepStartedAt() == Instant.parse("2026-12-01T10:05:00Z").toEpochMilli()) {
                response.onNext(SweepResultsAck.newBuilder().setBatchSeq(batch.getBatchSeq()).build());
            }
        }, calls, sweeps);
        sweeps.tryEmitNext(sweep(Instant.parse("2026-12-01T10:00:00Z"), 10));
        // this gateway ends a stream once the agent has sent everything: unacknowledged, the first
        // sweep is sent again and again (every 10 to 50 ms) until the next one replaces it
        await(() -> calls.get() >= 1);
        sweeps.tryEmitNext(sweep(Instant.parse("2026-12-01T10:05:00Z"), 10));
        await(() -> reporter.delivered() == 1);
        assertThat(reporter.dropped()).isEqualTo(1);
    }

    @Test
    void aGatewayWithoutTheCallIsNotAskedAgain() {
        AtomicInteger calls = new AtomicInteger();
        Sinks.Many<SweepResult> sweeps = Sinks.many().replay().all();
        Server gateway = start(new AgentGatewayServiceGrpc.AgentGatewayServiceImplBase() {
            @Override
            public StreamObserver<SweepResultsBatch> reportSweepResults(StreamObserver<SweepResultsAck> response) {
                calls.incrementAndGet();
                return super.reportSweepResults(response); // UNIMPLEMENTED, as an old gateway answers
            }
        });
        ResultReporter reporter = new ResultReporter(stub(gateway), "agent-1", sweeps.asFlux(), 1000, 2, Duration.ofMillis(10),
                Duration.ofMillis(50));
        closing.add(reporter);
        sweeps.tryEmitNext(sweep(Instant.parse("2026-12-01T10:00:00Z"), 3));
        // until its answer arrives the reporter cannot know: a newer sweep meanwhile may ask once more
        await(reporter::gatewayLacksTheCall);
        assertThat(calls.get()).isEqualTo(1);
        sweeps.tryEmitNext(sweep(Instant.parse("2026-12-01T10:05:00Z"), 3));
        sweeps.tryEmitNext(sweep(Instant.parse("2026-12-01T10:10:00Z"), 3));
        assertThat(calls.get()).isEqualTo(1);
        assertThat(reporter.delivered()).isZero();
    }

    private ResultReporter reporter(BiConsumer<SweepResultsBatch, StreamObserver<SweepResultsAck>> script, AtomicInteger calls,
                                    Object sweeps) {
        Server gateway = start(new AgentGatewayServiceGrpc.AgentGatewayServiceImplBase() {
            @Override
            public StreamObserver<SweepResultsBatch> reportSweepResults(StreamObserver<SweepResultsAck> response) {
                calls.incrementAndGet();
                List<SweepResultsBatch> received = new CopyOnWriteArrayList<>();
                streams.add(received);
                return new StreamObserver<>() {
                    @Override
                    public void onNext(SweepResultsBatch batch) {
                        received.add(batch);
                        script.accept(batch, response);
                    }

                    @Override
                    public void onError(Throwable error) {
                    }

                    @Override
                    public void onCompleted() {
                        response.onCompleted();
                    }
                };
            }
        });
        @SuppressWarnings("unchecked")
        reactor.core.publisher.Flux<SweepResult> flux = sweeps instanceof SweepResult single ? reactor.core.publisher.Flux.just(single)
                : ((Sinks.Many<SweepResult>) sweeps).asFlux();
        ResultReporter reporter = new ResultReporter(stub(gateway), "agent-1", flux, 1000, 2, Duration.ofMillis(10), Duration.ofMillis(50));
        closing.add(reporter);
        return reporter;
    }

    private Server start(AgentGatewayServiceGrpc.AgentGatewayServiceImplBase service) {
        try {
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
            closing.add(server::shutdownNow);
            return server;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub stub(Server server) {
        GatewayAddress address = GatewayAddress.plaintext("127.0.0.1:" + server.getPort(), "fga_x");
        ManagedChannel channel = address.channel();
        closing.add(channel::shutdownNow);
        return address.authenticated(ReactorAgentGatewayServiceGrpc.newReactorStub(channel));
    }

    private static SweepResult sweep(Instant started, int hosts) {
        List<SweepResult.TargetResult> targets = IntStream.range(0, hosts).mapToObj(i -> new SweepResult.TargetResult(ip(i), true, 150,
                List.of(22), List.of(), List.of(), started.plusSeconds(1), "faker")).toList();
        return new SweepResult(started, started.plusSeconds(2), "v7", "getconfig", Duration.ofSeconds(2), targets);
    }

    private static String ip(int i) {
        return "127.63." + (i >> 8) + "." + (i & 255);
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }
}
