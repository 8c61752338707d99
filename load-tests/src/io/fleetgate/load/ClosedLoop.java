package io.fleetgate.load;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * A fixed number of callers, each issuing its next unary call as soon as the previous one ends,
 * for a fixed time: the rate the server sustains with that many calls in flight. Every scenario
 * uses this same client, so their rates compare.
 */
final class ClosedLoop {

    record Result(long calls, long errors, double seconds, Latencies latencies) {
        double rate() {
            return calls / seconds;
        }
    }

    private ClosedLoop() {
    }

    /** Runs {@code call(n)} (n counts up) from {@code concurrency} callers for {@code duration}. */
    static Result run(int concurrency, Duration duration, IntFunction<ListenableFuture<?>> call) throws InterruptedException {
        AtomicLong calls = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong sequence = new AtomicLong();
        Latencies latencies = new Latencies();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int c = 0; c < concurrency; c++) {
            next(call, sequence, calls, errors, latencies, end, done);
        }
        done.await(duration.toSeconds() + 60, TimeUnit.SECONDS);
        return new Result(calls.get(), errors.get(), (System.nanoTime() - start) / 1e9, latencies);
    }

    private static void next(IntFunction<ListenableFuture<?>> call, AtomicLong sequence, AtomicLong calls, AtomicLong errors,
                             Latencies latencies, long end, CountDownLatch done) {
        if (System.nanoTime() >= end) {
            done.countDown();
            return;
        }
        long started = System.nanoTime();
        Futures.addCallback(call.apply((int) sequence.getAndIncrement()), new FutureCallback<Object>() {
            @Override
            public void onSuccess(Object result) {
                calls.incrementAndGet();
                latencies.record(System.nanoTime() - started);
                next(call, sequence, calls, errors, latencies, end, done);
            }

            @Override
            public void onFailure(Throwable error) {
                errors.incrementAndGet();
                next(call, sequence, calls, errors, latencies, end, done);
            }
        }, MoreExecutors.directExecutor());
    }
}
