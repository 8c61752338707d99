package io.fleetgate.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TenantLruTest {

    private final UUID flooder = UUID.randomUUID();
    private final UUID small = UUID.randomUUID();

    /** A cache of one tenant at its bound of three: a, b and c, inserted in that order. */
    private TenantLru<String> fullWithAbc() {
        TenantLru<String> cache = new TenantLru<>(100, 3, Long.MAX_VALUE, value -> 1);
        cache.put(flooder, "a", "A");
        cache.put(flooder, "b", "B");
        cache.put(flooder, "c", "C");
        return cache;
    }

    @Test
    void aTenantPastItsOwnBoundLosesItsLeastRecentlyUsedEntry() {
        TenantLru<String> cache = fullWithAbc();
        cache.get(flooder, "a");
        cache.put(flooder, "d", "D");
        assertThat(cache.get(flooder, "b")).isNull();
        assertThat(cache.get(flooder, "a")).isEqualTo("A");
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.evictions()).isEqualTo(1);
    }

    @Test
    void hitsBetweenTwoInsertionsCountAsTheFirst() {
        TenantLru<String> cache = fullWithAbc();
        cache.get(flooder, "b");
        cache.get(flooder, "a");
        cache.get(flooder, "b"); // no insertion since b's first hit: b stays before a
        cache.put(flooder, "d", "D");
        cache.put(flooder, "e", "E");
        assertThat(cache.get(flooder, "c")).isNull();
        assertThat(cache.get(flooder, "b")).isNull();
        assertThat(cache.get(flooder, "a")).isEqualTo("A");
    }

    @Test
    void anEntryHitAfterAnInsertionOutlivesOneThatWasNot() {
        TenantLru<String> cache = new TenantLru<>(100, 2, Long.MAX_VALUE, value -> 1);
        cache.put(flooder, "a", "A");
        cache.get(flooder, "a"); // no insertion since a's own: nothing to reorder
        cache.put(flooder, "b", "B");
        cache.get(flooder, "a");
        cache.put(flooder, "c", "C");
        assertThat(cache.get(flooder, "b")).isNull();
        assertThat(cache.get(flooder, "a")).isEqualTo("A");
        assertThat(cache.evictions()).isEqualTo(1);
    }

    @Test
    void aTenantFloodingTheWholeCacheEvictsOnlyItself() {
        TenantLru<String> cache = new TenantLru<>(10, 10, Long.MAX_VALUE, value -> 1);
        for (int i = 0; i < 3; i++) {
            cache.put(small, "agent-" + i, "config");
        }
        for (int i = 0; i < 10_000; i++) {
            cache.put(flooder, "agent-" + i, "config");
        }
        assertThat(cache.size()).isEqualTo(10);
        assertThat(cache.size(small)).isEqualTo(3);
        assertThat(cache.size(flooder)).isEqualTo(7);
        for (int i = 0; i < 3; i++) {
            assertThat(cache.get(small, "agent-" + i)).isEqualTo("config");
        }
        // the flooder keeps its most recent entries
        assertThat(cache.get(flooder, "agent-9999")).isEqualTo("config");
        assertThat(cache.get(flooder, "agent-0")).isNull();
    }

    @Test
    void anEntryIsReplacedAndItsWeightWithIt() {
        TenantLru<String> cache = new TenantLru<>(10, 10, 1000, String::length);
        cache.put(small, "a", "first");
        cache.put(small, "a", "second!");
        assertThat(cache.get(small, "a")).isEqualTo("second!");
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.bytes()).isEqualTo(7);
        assertThat(cache.remove(small, "a")).isTrue();
        assertThat(cache.remove(small, "a")).isFalse();
        assertThat(cache.bytes()).isZero();
    }

    @Test
    void pastTheByteBudgetTheHeaviestTenantLosesItsLeastRecentlyUsedEntries() {
        TenantLru<String> cache = new TenantLru<>(1000, 1000, 100, String::length);
        cache.put(small, "s", "x".repeat(10));
        for (int i = 0; i < 20; i++) {
            cache.put(flooder, "big-" + i, "y".repeat(30));
        }
        assertThat(cache.bytes()).isLessThanOrEqualTo(100);
        assertThat(cache.get(small, "s")).as("the light tenant keeps its entry").isNotNull();
        assertThat(cache.size(flooder)).isEqualTo(3);
        assertThat(cache.get(flooder, "big-19")).isNotNull();
        assertThat(cache.evictions()).isEqualTo(17);
        assertThat(cache.removeTenant(flooder)).isEqualTo(3);
        assertThat(cache.bytes()).isEqualTo(10);
    }

    @Test
    void anEntryHeavierThanTheWholeBudgetIsNotKept() {
        TenantLru<String> cache = new TenantLru<>(1000, 1000, 5, String::length);
        cache.put(small, "a", "far too heavy");
        assertThat(cache.size()).isZero();
        assertThat(cache.bytes()).isZero();
    }

    @Test
    void removingATenantOrEverythingKeepsTheCount() {
        TenantLru<String> cache = new TenantLru<>(100, 100, Long.MAX_VALUE, value -> 1);
        cache.put(small, "a", "A");
        cache.put(flooder, "a", "A");
        cache.put(flooder, "b", "B");
        assertThat(cache.removeTenant(flooder)).isEqualTo(2);
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.clear()).isEqualTo(1);
        assertThat(cache.size()).isZero();
        assertThat(cache.evictions()).isZero();
    }

    @Test
    void concurrentReadersAndWritersNeverLeaveTheCacheAboveItsBounds() throws Exception {
        TenantLru<Integer> cache = new TenantLru<>(500, 200, Long.MAX_VALUE, value -> 1);
        UUID[] tenants = {UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()};
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch done = new CountDownLatch(8);
        for (UUID tenant : tenants) {
            pool.execute(() -> {
                for (int i = 0; i < 200_000; i++) {
                    Integer value = cache.get(tenant, "agent-" + (i % 300));
                    assertThat(value).isIn(null, i % 300);
                }
                done.countDown();
            });
            pool.execute(() -> {
                for (int i = 0; i < 20_000; i++) {
                    cache.put(tenant, "agent-" + (i % 300), i % 300);
                    if (i % 7 == 0) {
                        cache.remove(tenant, "agent-" + (i + 297) % 300);
                    }
                    if (i % 1000 == 999) {
                        cache.removeTenant(tenant);
                    }
                }
                done.countDown();
            });
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        int counted = 0;
        for (UUID tenant : tenants) {
            assertThat(cache.size(tenant)).isLessThanOrEqualTo(200);
            counted += cache.size(tenant);
        }
        assertThat(cache.size()).isEqualTo(counted).isLessThanOrEqualTo(500);
        assertThat(cache.bytes()).isEqualTo(counted);
        // the recency lists held up: after emptying each tenant, filling it evicts only what is in it
        for (UUID tenant : tenants) {
            for (int i = 0; i < 300; i++) {
                cache.remove(tenant, "agent-" + i);
            }
        }
        assertThat(cache.size()).isZero();
        assertThat(cache.bytes()).isZero();
        for (UUID tenant : tenants) {
            for (int i = 0; i < 250; i++) {
                cache.put(tenant, "fresh-" + i, i);
            }
        }
        int refilled = 0;
        for (UUID tenant : tenants) {
            assertThat(cache.size(tenant)).isLessThanOrEqualTo(200);
            assertThat(cache.get(tenant, "fresh-0")).isNull();
            refilled += cache.size(tenant);
        }
        assertThat(cache.size()).isEqualTo(refilled).isEqualTo(500);
        assertThat(cache.bytes()).isEqualTo(500);
    }
}
