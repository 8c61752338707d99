package io.fleetgate.agent;

import io.fleetgate.error.PlainText;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.sweep.AgentConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * the pending polls are written in one statement, at most one row per agent. A poll that says
 * nothing new (same versions, interval and desired config as the one this replica last wrote) is
 * not written again until half its poll interval has passed: liveness allows 3 intervals, and an
 * agent polling far more often than told costs no more writes than one polling as told. A
 * replica that dies loses at most one flush interval plus that half interval; replicas writing
 * the same agent merge by poll time (the latest wins). A failed flush keeps its polls for the next
 * one, unless newer ones came meanwhile.
 */
@Component
class PollRecorder implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PollRecorder.class);

    /**
     * One agent's latest poll: what it applied and refused (unless {@code versionsKnown} is false:
     * a watch's keep-alive, which proves the agent alive but not what it applied since), and the
     * version (with its target count) it was answered with.
     */
    record Poll(UUID tenant, String agent, Instant at, @Nullable String applied, @Nullable String rejected,
                @Nullable String reason, int intervalSec, String desired, int targets, boolean versionsKnown) {

        static Poll of(UUID tenant, String agent, Instant at, AgentConfigRequest request, int intervalSec, AgentConfig desired) {
            return new Poll(tenant, agent, at, AgentRpc.blankToNull(request.getConfigVersion()),
                    AgentRpc.blankToNull(request.getRejectedConfigVersion()),
                    AgentRpc.blankToNull(PlainText.sanitized(request.getRejectReason(), AgentRpc.MAX_REJECT_REASON)),
                    intervalSec, desired.version(), desired.targets(), true);
        }

        static Poll keepAlive(UUID tenant, String agent, Instant at, int intervalSec, AgentConfig desired) {
            return new Poll(tenant, agent, at, null, null, null, intervalSec, desired.version(), desired.targets(), false);
        }

        /** Tells nothing {@code written} did not, and came before half a poll interval after it. */
        boolean repeats(Poll written) {
            boolean sameVersions = !versionsKnown || written.versionsKnown && Objects.equals(applied, written.applied)
                    && Objects.equals(rejected, written.rejected) && Objects.equals(reason, written.reason);
            return sameVersions && intervalSec == written.intervalSec && targets == written.targets && desired.equals(written.desired)
                    && at.isBefore(written.rewriteAfter());
        }

        Instant rewriteAfter() {
            return at.plusMillis(intervalSec * 500L);
        }
    }

    private record Key(UUID tenant, String agent) {
    }

    private final AgentRepository repository;
    private final AgentMetrics metrics;
    private final Duration every;
    private final Clock clock;
    private final Map<Key, Poll> pending = new ConcurrentHashMap<>();
    /** The latest poll this replica wrote per agent, while a repeat of it would not be written. */
    private final Map<Key, Poll> written = new ConcurrentHashMap<>();
    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile @Nullable Disposable flushing;

    PollRecorder(AgentRepository repository, AgentMetrics metrics, AgentProperties properties, Clock clock) {
        this.repository = repository;
        this.clock = clock;
        this.metrics = metrics;
        this.every = properties.pollFlushInterval();
    }

    void record(Poll poll) {
        pending.merge(new Key(poll.tenant(), poll.agent()), poll, PollRecorder::later);
    }

    /** The polls not written yet. */
    List<Poll> pending() {
        return List.copyOf(pending.values());
    }

    /** Writes what is pending; what fails to be written stays pending. */
    Mono<Void> flush() {
        return Mono.defer(() -> {
            Instant now = clock.instant();
            written.values().removeIf(poll -> !now.isBefore(poll.rewriteAfter()));
            List<Poll> batch = new ArrayList<>(pending.size());
            int repeats = 0;
            for (Key key : pending.keySet()) {
                Poll poll = pending.remove(key);
                Poll last = written.get(key);
                if (poll != null && last != null && poll.repeats(last)) {
                    repeats++;
                } else if (poll != null) {
                    batch.add(poll);
                }
            }
            metrics.repeated(repeats);
            if (batch.isEmpty()) {
                return Mono.empty();
            }
            long started = System.nanoTime();
            return repository.recordPolls(batch)
                    .doOnSuccess(refusals -> {
                        batch.forEach(poll -> written.merge(new Key(poll.tenant(), poll.agent()), poll, PollRecorder::later));
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

    /** The later poll wins; a keep-alive keeps the versions of the poll it replaces. */
    private static Poll later(Poll a, Poll b) {
        Poll newer = b.at().isAfter(a.at()) ? b : a;
        Poll older = newer == b ? a : b;
        if (newer.versionsKnown() || !older.versionsKnown()) {
            return newer;
        }
        return new Poll(newer.tenant(), newer.agent(), newer.at(), older.applied(), older.rejected(), older.reason(),
                newer.intervalSec(), newer.desired(), newer.targets(), true);
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
