package io.fleetgate.concurrency;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Runs at most {@code maxRunning} pieces of asynchronous work at once; the rest wait in arrival
 * order. A burst of a hundred thousand requests then costs a hundred thousand small queue entries,
 * not as many database queries and result sets in flight. Work, once submitted, runs to its end
 * whoever still waits for it: callers that share its result may come and go.
 */
public final class BoundedWork {

    private final int maxRunning;
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger draining = new AtomicInteger();

    public BoundedWork(int maxRunning) {
        if (maxRunning < 1) {
            throw new IllegalArgumentException("at least one piece of work must be allowed to run");
        }
        this.maxRunning = maxRunning;
    }

    /** The work's result, once it has had its turn and finished; the work starts when a slot frees. */
    public <T> Mono<T> submit(Supplier<Mono<T>> work) {
        Sinks.One<T> result = Sinks.one();
        queued.incrementAndGet();
        waiting.add(() -> Mono.defer(work)
                .doFinally(signal -> {
                    running.decrementAndGet();
                    drain();
                })
                .subscribe(value -> result.tryEmitValue(value), result::tryEmitError, result::tryEmitEmpty));
        drain();
        return result.asMono();
    }

    /** Work waiting for a slot. */
    public int queued() {
        return queued.get();
    }

    public int running() {
        return running.get();
    }

    /** One thread at a time starts work (others leave a note to look again), so work that ends at once cannot recurse. */
    private void drain() {
        if (draining.getAndIncrement() != 0) {
            return;
        }
        do {
            while (running.get() < maxRunning) {
                Runnable next = waiting.poll();
                if (next == null) {
                    break;
                }
                queued.decrementAndGet();
                running.incrementAndGet();
                next.run();
            }
        } while (draining.decrementAndGet() != 0);
    }
}
