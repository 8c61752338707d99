package io.fleetgate.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * GetConfig polls, written behind: each poll replaces the agent's pending one in memory (so a
 * poll touches no database on the request path), and every FLEETGATE_AGENT_POLL_FLUSH_INTERVAL
 * the pending polls are written in one statement, at most one row per agent. A replica that
 * dies loses at most one interval; replicas writing the same agent merge by poll time (the latest
 * wins). A failed flush keeps its polls for the next one, unless newer ones came meanwhile.
 */
@Component
class PollRecorder implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PollRecorder.class);

    /** One agent's latest poll: what it applied and refused, and the version (with its target count) it was answered with. */
    record Poll(UUID tenant, String agent, Instant at, @Nullable String applied, @Nullable String rejected,
                @Nullable String reason, int intervalSec, String desired, int targets) {
    }

    private record Key(UUID tenant, String agent) {
    }

    private final AgentRepository repository;
    private final AgentMetrics metrics;
    private final Duration every;
    private final Map<Key, Poll> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile @Nullable Disposable flushing;

    PollRecorder(AgentRepository repository, AgentMetrics metrics, AgentProperties properties) {
        this.repository = repository;
        this.metrics = metrics;
        this.every = properties.pollFlushInterval();
    }

    void record(Poll poll) {
        pending.merge(new Key(poll.tenant(), poll.agent()), poll, PollRecorder::later);
    }

    /** Writes what is pending; what fails to be written stays pending. */
    Mono<Void> flush() {
        return Mono.defer(() -> {
            List<Poll> batch = new ArrayList<>(pending.size());
            for (Key key : pending.keySet()) {
                Poll poll = pending.remove(key);
                if (poll != null) {
                    batch.add(poll);
                }
            }
            if (batch.isEmpty()) {
                return Mono.empty();
            }
            long started = System.nanoTime();
            return repository.recordPolls(batch)
                    .doOnSuccess(refusals -> {
                        metrics.flushed(batch.size(), Duration.ofNanos(System.nanoTime() - started));
                        metrics.refused(refusals);
                        if (failing.compareAndSet(true, false)) {
                            log.info("Agent polls are written again");
                        }
                    })
                    .onErrorResume(error -> {
                        batch.forEach(poll -> pending.merge(new Key(poll.tenant(), poll.agent()), poll, PollRecorder::later));
                        if (failing.compareAndSet(false, true)) {
                            log.warn("Could not write {} agent polls, keeping them for the next flush: {}", batch.size(), error.toString());
                        }
                        return Mono.empty();
                    })
                    .then();
        });
    }

    private static Poll later(Poll a, Poll b) {
        return b.at().isAfter(a.at()) ? b : a;
    }

    @Override
    public void start() {
        flushing = Flux.interval(every, every).onBackpressureDrop().concatMap(tick -> flush(), 0).subscribe();
    }

    @Override
    public void stop(Runnable callback) {
        Disposable running = flushing;
        if (running != null) {
            running.dispose();
        }
        flushing = null;
        // the last polls seen are written before the database goes away
        flush().timeout(Duration.ofSeconds(5), Mono.empty()).doFinally(signal -> callback.run()).subscribe();
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        return flushing != null;
    }
}
