package io.fleetgate.concurrency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** Items are "key:weight" texts; a write's result for each is the text upper-cased, after the test lets that write finish. */
class GroupCommitTest {

    /** The writes asked for, each finished by the test, and whether its subscription was cancelled. */
    private final List<Write> writes = new ArrayList<>();

    private record Write(List<String> items, Sinks.One<List<String>> done, AtomicBoolean cancelled) {

        void finish() {
            done.tryEmitValue(items.stream().map(String::toUpperCase).toList());
        }

        void fail(String message) {
            done.tryEmitError(new IllegalStateException(message));
        }
    }

    private GroupCommit<String, String> commit(int maxWeight, int maxWrites) {
        return new GroupCommit<>(items -> {
            Write write = new Write(items, Sinks.one(), new AtomicBoolean());
            writes.add(write);
            return write.done.asMono().doOnCancel(() -> write.cancelled.set(true));
        }, item -> Integer.parseInt(item.split(":")[1]), maxWeight, item -> item.split(":")[0], maxWrites);
    }

    /** The item submitted; its result (or error message) lands in {@code results}. */
    private static Disposable submit(GroupCommit<String, String> commit, String item, List<String> results) {
        return commit.submit(item).subscribe(results::add, error -> results.add("error " + error.getMessage()));
    }

    @Test
    void anItemAloneIsWrittenAtOnceAndThoseArrivingMeanwhileShareTheNextWrite() {
        GroupCommit<String, String> commit = commit(100, 1);
        List<String> results = new ArrayList<>();
        submit(commit, "a:1", results);
        assertThat(writes).extracting(Write::items).containsExactly(List.of("a:1"));
        submit(commit, "b:1", results);
        submit(commit, "c:1", results);
        assertThat(commit.waiting()).isEqualTo(2);
        writes.get(0).finish();
        assertThat(results).containsExactly("A:1");
        assertThat(writes).extracting(Write::items).containsExactly(List.of("a:1"), List.of("b:1", "c:1"));
        writes.get(1).finish();
        assertThat(results).containsExactly("A:1", "B:1", "C:1");
        assertThat(commit.waiting()).isZero();
    }

    @Test
    void aGroupWeighsAtMostTheBoundUnlessOneItemAloneIsHeavier() {
        GroupCommit<String, String> commit = commit(10, 1);
        List<String> results = new ArrayList<>();
        submit(commit, "first:1", results);
        for (String item : List.of("a:4", "b:4", "c:4", "huge:50", "d:1")) {
            submit(commit, item, results);
        }
        writes.get(0).finish();
        writes.get(1).finish();
        writes.get(2).finish();
        writes.get(3).finish();
        assertThat(writes).extracting(Write::items).containsExactly(List.of("first:1"), List.of("a:4", "b:4"), List.of("c:4"),
                List.of("huge:50"), List.of("d:1"));
    }

    @Test
    void twoItemsOfOneKeyNeverShareAWriteAndKeepTheirOrder() {
        GroupCommit<String, String> commit = commit(100, 1);
        List<String> results = new ArrayList<>();
        submit(commit, "first:1", results);
        submit(commit, "a:1", results);
        submit(commit, "a:2", results);
        submit(commit, "b:1", results);
        writes.get(0).finish();
        writes.get(1).finish();
        assertThat(writes).extracting(Write::items).containsExactly(List.of("first:1"), List.of("a:1", "b:1"), List.of("a:2"));
    }

    @Test
    void atMostTheBoundOfWritesRunAtOnceAndAnItemWaitsWhileOneOfItsKeyIsWritten() {
        GroupCommit<String, String> commit = commit(100, 2);
        List<String> results = new ArrayList<>();
        submit(commit, "a:1", results);
        submit(commit, "a:2", results);
        assertThat(writes).as("the second writer is free, but a:1 is being written").extracting(Write::items).containsExactly(List.of("a:1"));
        submit(commit, "b:1", results);
        submit(commit, "c:1", results);
        submit(commit, "d:1", results);
        assertThat(writes).extracting(Write::items).containsExactly(List.of("a:1"), List.of("b:1"));
        writes.get(1).finish();
        assertThat(writes).extracting(Write::items).containsExactly(List.of("a:1"), List.of("b:1"), List.of("c:1", "d:1"));
        writes.get(0).finish();
        writes.get(2).finish();
        assertThat(writes).extracting(Write::items).containsExactly(List.of("a:1"), List.of("b:1"), List.of("c:1", "d:1"), List.of("a:2"));
        writes.get(3).finish();
        assertThat(results).containsExactly("B:1", "A:1", "C:1", "D:1", "A:2");
    }

    @Test
    void aFailedGroupIsWrittenItemByItemSoThatOnlyTheFailingItemFails() {
        GroupCommit<String, String> commit = commit(100, 1);
        List<String> results = new ArrayList<>();
        submit(commit, "first:1", results);
        submit(commit, "a:1", results);
        submit(commit, "bad:1", results);
        submit(commit, "c:1", results);
        writes.get(0).fail("first failed");
        assertThat(results).as("a group of one fails as it is").containsExactly("error first failed");
        writes.get(1).fail("one of them is bad");
        assertThat(writes).extracting(Write::items).containsExactly(List.of("first:1"), List.of("a:1", "bad:1", "c:1"), List.of("a:1"));
        writes.get(2).finish();
        writes.get(3).fail("bad");
        writes.get(4).finish();
        assertThat(writes.subList(2, 5)).extracting(Write::items).containsExactly(List.of("a:1"), List.of("bad:1"), List.of("c:1"));
        assertThat(results).containsExactly("error first failed", "A:1", "error bad", "C:1");
    }

    @Test
    void aWriteIsCancelledOnlyWhenEveryCallerInItHasGoneAndAWaitingItemThatWentIsNeverWritten() {
        GroupCommit<String, String> commit = commit(100, 1);
        List<String> results = new ArrayList<>();
        Disposable first = submit(commit, "first:1", results);
        Disposable a = submit(commit, "a:1", results);
        submit(commit, "b:1", results);
        Disposable gone = submit(commit, "gone:1", results);
        gone.dispose();
        first.dispose();
        assertThat(writes.get(0).cancelled()).as("its only caller went: rolled back").isTrue();
        assertThat(writes).extracting(Write::items).containsExactly(List.of("first:1"), List.of("a:1", "b:1"));
        a.dispose();
        assertThat(writes.get(1).cancelled()).as("b still waits for it").isFalse();
        writes.get(1).finish();
        assertThat(results).containsExactly("B:1");
        assertThat(commit.waiting()).isZero();
    }

    @Test
    void aWriteThatThrowsFailsItsItemsAndFreesItsSlot() {
        GroupCommit<String, String> commit = new GroupCommit<>(items -> {
            if (items.contains("boom:1")) {
                throw new IllegalStateException("boom");
            }
            return Mono.just(items.stream().map(String::toUpperCase).toList());
        }, item -> 1, 10, item -> item, 1);
        List<String> results = new ArrayList<>();
        submit(commit, "boom:1", results);
        submit(commit, "a:1", results);
        assertThat(results).containsExactly("error boom", "A:1");
    }

    @Test
    void refusesBoundsThatCouldNeverWrite() {
        assertThatThrownBy(() -> new GroupCommit<String, String>(items -> Mono.just(items), item -> 1, 10, item -> item, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GroupCommit<String, String>(items -> Mono.just(items), item -> 1, 0, item -> item, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
