package io.fleetgate.concurrency;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Runs at most {@code maxRunning} pieces of asynchronous work at once; the rest wait in arrival
 * order, urgent work ahead of the rest. A burst of a hundred thousand requests then costs a
 * hundred thousand small queue entries, not as many database queries in flight; and a caller
 * waiting for an answer is not stuck behind a storm of background work. Work, once submitted,
 * runs to its end whoever still waits for it: callers that share its result may come and go.
 */
public final class BoundedWork {

    private final int maxRunning;
    private final Queue<Job<?>> urgent = new ConcurrentLinkedQueue<>();
    private final Queue<Job<?>> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger draining = new AtomicInteger();

    /** Submitted work: its result, and a way to move it ahead while it waits. */
    public final class Job<T> {
        private final Supplier<Mono<T>> work;
        private final Sinks.One<T> result = Sinks.one();
        private final AtomicBoolean started = new AtomicBoolean();

        private Job(Supplier<Mono<T>> work) {
            this.work = work;
        }

        /** The work's result, once it has had its turn and finished. */
        public Mono<T> result() {
            return result.asMono();
        }

        /** Moves the job ahead of the work that is not urgent (a caller now waits for it); nothing once it started. */
        public void promote() {
            if (!started.get()) {
                urgent.add(this);
                drain();
            }
        }

        /** Starts the work unless it already started (a promoted job is in both queues); whether it did. */
        private boolean start() {
            if (!started.compareAndSet(false, true)) {
                return false;
            }
            queued.decrementAndGet();
            running.incrementAndGet();
            Mono.defer(work)
                    .doFinally(signal -> {
                        running.decrementAndGet();
                        drain();
                    })
                    .subscribe(value -> result.tryEmitValue(value), result::tryEmitError, result::tryEmitEmpty);
            return true;
        }
    }

    public BoundedWork(int maxRunning) {
        if (maxRunning < 1) {
            throw new IllegalArgumentException("at least one piece of work must be allowed to run");
        }
        this.maxRunning = maxRunning;
    }

    /** Queues the work (ahead of the rest when {@code urgent}); it starts when a slot frees. */
    public <T> Job<T> submit(Supplier<Mono<T>> work, boolean urgent) {
        Job<T> job = new Job<>(work);
        queued.incrementAndGet();
        (urgent ? this.urgent : waiting).add(job);
        drain();
        return job;
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
                Job<?> next = urgent.poll();
                if (next == null) {
                    next = waiting.poll();
                }
                if (next == null) {
                    break;
                }
                next.start();
            }
        } while (draining.decrementAndGet() != 0);
    }
}
