package io.fleetgate.concurrency;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Group commit: items submitted while a write is running wait, and the next write takes all of
 * them at once (up to a weight), so that under load many small items share one transaction's
 * statements, round trips and commit, and alone an item is written at once. At most
 * {@code maxWrites} writes run at a time; an item waits while an item of its key is being written
 * or already in the group (items of one key are written one after another, in their order). A write that fails for a group of several items is retried item by item,
 * so one item's failure is its own. Each item's caller gets its own result; a write is cancelled
 * only when every caller in it has cancelled.
 *
 * @param <T> an item
 * @param <R> an item's result: the write returns one per item, in the items' order
 */
public final class GroupCommit<T, R> {

    private final Function<List<T>, Mono<List<R>>> write;
    private final ToIntFunction<T> weight;
    private final Function<T, Object> key;
    private final int maxWeight;
    private final int maxWrites;
    private final ArrayDeque<Member> waiting = new ArrayDeque<>();
    /** The keys of the items being written. */
    private final Set<Object> keysWriting = new HashSet<>();
    private int running;

    /**
     * @param write     writes a group of items, returning each one's result in their order
     * @param weight    an item's weight (the rows it writes)
     * @param maxWeight the most a group weighs, unless it is a single heavier item
     * @param key       items of one key are written one after another, in their order
     * @param maxWrites writes running at once
     */
    public GroupCommit(Function<List<T>, Mono<List<R>>> write, ToIntFunction<T> weight, int maxWeight, Function<T, Object> key,
                       int maxWrites) {
        if (maxWrites < 1 || maxWeight < 1) {
            throw new IllegalArgumentException("a group commit needs at least one write at a time and a positive weight bound");
        }
        this.write = write;
        this.weight = weight;
        this.maxWeight = maxWeight;
        this.key = key;
        this.maxWrites = maxWrites;
    }

    /** The item's result once the group it joined has been written. */
    public Mono<R> submit(T item) {
        return Mono.create(sink -> {
            Member member = new Member(item, sink);
            sink.onCancel(member::cancel);
            synchronized (this) {
                waiting.add(member);
            }
            drain();
        });
    }

    /** Items waiting for a write (a gauge). */
    public synchronized int waiting() {
        return waiting.size();
    }

    private void drain() {
        while (true) {
            List<Member> group;
            synchronized (this) {
                if (running >= maxWrites) {
                    return;
                }
                group = nextGroup();
                if (group.isEmpty()) {
                    return;
                }
                running++;
            }
            new Group(group).start();
        }
    }

    /** The waiting items a group takes, in their order: up to the weight bound, one per key not being written, none cancelled. */
    private List<Member> nextGroup() {
        List<Member> group = new ArrayList<>();
        int total = 0;
        for (Iterator<Member> it = waiting.iterator(); it.hasNext(); ) {
            Member member = it.next();
            if (member.cancelled) {
                it.remove();
                continue;
            }
            int itemWeight = weight.applyAsInt(member.item);
            if (!group.isEmpty() && total + itemWeight > maxWeight) {
                break;
            }
            if (!keysWriting.add(key.apply(member.item))) {
                continue;
            }
            it.remove();
            group.add(member);
            total += itemWeight;
        }
        return group;
    }

    private final class Member {
        private final T item;
        private final MonoSink<R> sink;
        private volatile boolean cancelled;
        private @Nullable Group group;

        Member(T item, MonoSink<R> sink) {
            this.item = item;
            this.sink = sink;
        }

        private void cancel() {
            Group joined;
            synchronized (GroupCommit.this) {
                cancelled = true;
                joined = group;
            }
            if (joined != null) {
                joined.memberCancelled();
            }
        }
    }

    private final class Group {
        private final List<Member> members;
        private @Nullable Disposable writing;
        private boolean abandoned;

        Group(List<Member> members) {
            this.members = members;
        }

        void start() {
            synchronized (GroupCommit.this) {
                members.forEach(member -> member.group = this);
            }
            Mono<Void> work = written(members.stream().map(member -> member.item).toList())
                    .doOnNext(results -> {
                        for (int i = 0; i < members.size(); i++) {
                            members.get(i).sink.success(results.get(i));
                        }
                    })
                    .then()
                    .onErrorResume(error -> members.size() == 1 ? fail(members.get(0), error) : oneByOne());
            Disposable subscription = work.doFinally(signal -> {
                synchronized (GroupCommit.this) {
                    running--;
                    members.forEach(member -> keysWriting.remove(key.apply(member.item)));
                }
                drain();
            }).subscribe();
            boolean abandonedMeanwhile;
            synchronized (GroupCommit.this) {
                writing = subscription;
                abandonedMeanwhile = abandoned;
            }
            if (abandonedMeanwhile) {
                subscription.dispose();
            } else {
                // every caller may have gone before the group named them its members
                memberCancelled();
            }
        }

        /** The group failed as a whole: each item alone, so that only the item that fails reports it. */
        private Mono<Void> oneByOne() {
            return Flux.fromIterable(members)
                    .filter(member -> !member.cancelled)
                    .concatMap(member -> written(List.of(member.item))
                            .doOnNext(results -> member.sink.success(results.get(0)))
                            .then()
                            .onErrorResume(error -> fail(member, error)))
                    .then();
        }

        private Mono<List<R>> written(List<T> items) {
            // deferred: a write that throws instead of returning fails its items rather than the caller that drained
            return Mono.defer(() -> write.apply(items))
                    .switchIfEmpty(Mono.error(() -> new IllegalStateException("a group's write ended without its results")));
        }

        private Mono<Void> fail(Member member, Throwable error) {
            member.sink.error(error);
            return Mono.empty();
        }

        /** Disposes of the write once no caller waits for it (a write nobody awaits is rolled back). */
        void memberCancelled() {
            Disposable subscription;
            synchronized (GroupCommit.this) {
                if (abandoned || !members.stream().allMatch(member -> member.cancelled)) {
                    return;
                }
                abandoned = true;
                subscription = writing;
            }
            if (subscription != null) {
                subscription.dispose();
            }
        }
    }
}
