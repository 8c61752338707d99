package io.fleetgate.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * Times every gRPC call by method and status code ({@code fleetgate_grpc_server_calls_seconds})
 * and counts calls in progress ({@code fleetgate_grpc_server_active_calls}). No id ever becomes
 * a label.
 */
@Component
class GrpcMetricsInterceptor implements ServerInterceptor {

    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();

    GrpcMetricsInterceptor(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("fleetgate.grpc.server.active.calls", active, AtomicInteger::get).description("gRPC calls in progress")
                .register(registry);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Outcome outcome = new Outcome(call.getMethodDescriptor().getFullMethodName());
        ServerCall<Q, R> timed = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                outcome.finish(status.getCode());
                super.close(status, trailers);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(timed, headers)) {
            @Override
            public void onCancel() {
                outcome.finish(Status.Code.CANCELLED);
                super.onCancel();
            }
        };
    }

    /** Records a call once, however it ends (closed by us, or cancelled by the client). */
    private final class Outcome {
        private final String method;
        private final long start = System.nanoTime();
        private final AtomicBoolean finished = new AtomicBoolean();

        Outcome(String method) {
            this.method = method;
            active.incrementAndGet();
        }

        void finish(Status.Code code) {
            if (finished.compareAndSet(false, true)) {
                active.decrementAndGet();
                timer(method, code).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        }
    }

    /**
     * A histogram (not a summary) so that a method's p99 can be aggregated across replicas; a
     * handful of buckets from a millisecond to a minute (streams are calls too) keeps the series
     * few: 15 per method and status.
     */
    static final Duration[] CALL_BUCKETS = Stream.of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000)
            .map(Duration::ofMillis).toArray(Duration[]::new);

    private Timer timer(String method, Status.Code code) {
        return timers.computeIfAbsent(method + '|' + code, key -> Timer.builder("fleetgate.grpc.server.calls")
                .description("gRPC calls served, by method and status code")
                .tag("method", method)
                .tag("status", code.name())
                .serviceLevelObjectives(CALL_BUCKETS)
                .register(registry));
    }
}
