package io.fleetgate.sweep;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * A cache of per-tenant entries with three bounds: entries per tenant, entries in all, and bytes in
 * all (each entry weighs what {@code weigher} says). A tenant past its own bound loses its least
 * recently used entry; past a global bound, the tenant holding the most bytes does. So a tenant
 * that floods the cache evicts only itself, and a small tenant's configs stay cached however large
 * another grows. Each tenant's entries are locked on their own; no two locks are ever held at once.
 * <p>
 * A hit takes no lock as long as nothing was added to its tenant since the entry was last moved
 * to the recent end: every poll of a fleet is a hit on a different entry, and a lock and a relink
 * per hit cost the poll more than its lookup (docs/performance.md). So recency is kept at the
 * resolution of insertions: all the hits on an entry between two insertions count as its first.
 */
final class TenantLru<V> {

    private final int maxEntries;
    private final int maxPerTenant;
    private final long maxBytes;
    private final ToLongFunction<V> weigher;
    private final Map<UUID, Entries<V>> tenants = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();

    /** One entry, linked into its tenant's recency list while it is cached. */
    private static final class Slot<V> {
        final String key;
        final V value;
        final long weight;
        /** The tenant's insertion count when this entry last moved to the recent end. */
        volatile long epoch;
        Slot<V> older;
        Slot<V> newer;
        boolean linked;

        Slot(String key, V value, long weight) {
            this.key = key;
            this.value = value;
            this.weight = weight;
        }
    }

    /**
     * One tenant's entries: a concurrent index for lock-free hits and, under this object's lock,
     * a list from least to most recently used.
     */
    private static final class Entries<V> {
        final ConcurrentHashMap<String, Slot<V>> index = new ConcurrentHashMap<>();
        volatile long epoch;
        Slot<V> eldest;
        Slot<V> newest;
        long bytes;

        void append(Slot<V> slot) {
            slot.older = newest;
            slot.newer = null;
            if (newest == null) {
                eldest = slot;
            } else {
                newest.newer = slot;
            }
            newest = slot;
            slot.linked = true;
            slot.epoch = epoch;
        }

        void unlink(Slot<V> slot) {
            if (slot.older == null) {
                eldest = slot.newer;
            } else {
                slot.older.newer = slot.newer;
            }
            if (slot.newer == null) {
                newest = slot.older;
            } else {
                slot.newer.older = slot.older;
            }
            slot.older = null;
            slot.newer = null;
            slot.linked = false;
        }
    }

    TenantLru(int maxEntries, int maxPerTenant, long maxBytes, ToLongFunction<V> weigher) {
        if (maxEntries < 1 || maxPerTenant < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("cache bounds must be positive");
        }
        this.maxEntries = maxEntries;
        this.maxPerTenant = maxPerTenant;
        this.maxBytes = maxBytes;
        this.weigher = weigher;
    }

    /** The entry, now among the tenant's most recently used; null if absent. */
    V get(UUID tenant, String key) {
        Entries<V> entries = tenants.get(tenant);
        Slot<V> slot = entries == null ? null : entries.index.get(key);
        if (slot == null) {
            return null;
        }
        if (slot.epoch != entries.epoch) {
            synchronized (entries) {
                if (slot.linked && slot.epoch != entries.epoch) {
                    entries.unlink(slot);
                    entries.append(slot);
                }
            }
        }
        return slot.value;
    }

    /** Adds or replaces the entry, evicting to stay within the bounds. */
    void put(UUID tenant, String key, V value) {
        Slot<V> slot = new Slot<>(key, value, weigher.applyAsLong(value));
        while (true) {
            Entries<V> entries = tenants.computeIfAbsent(tenant, t -> new Entries<>());
            synchronized (entries) {
                if (tenants.get(tenant) != entries) {
                    continue; // dropped by removeTenant between the lookup and the lock
                }
                Slot<V> replaced = entries.index.put(key, slot);
                if (replaced == null) {
                    size.incrementAndGet();
                } else {
                    drop(entries, replaced);
                }
                entries.epoch++;
                entries.append(slot);
                account(entries, slot.weight);
                if (entries.index.size() > maxPerTenant) {
                    evictEldest(entries);
                }
            }
            break;
        }
        while (size.get() > maxEntries || bytes.get() > maxBytes) {
            Entries<V> heaviest = heaviestTenant();
            if (heaviest == null) {
                break;
            }
            synchronized (heaviest) {
                evictEldest(heaviest);
            }
        }
    }

    boolean remove(UUID tenant, String key) {
        Entries<V> entries = tenants.get(tenant);
        if (entries == null) {
            return false;
        }
        synchronized (entries) {
            Slot<V> removed = entries.index.remove(key);
            if (removed == null) {
                return false;
            }
            size.decrementAndGet();
            drop(entries, removed);
            return true;
        }
    }

    /** Drops a tenant's entries; returns how many there were. */
    int removeTenant(UUID tenant) {
        Entries<V> entries = tenants.remove(tenant);
        if (entries == null) {
            return 0;
        }
        synchronized (entries) {
            int dropped = entries.index.size();
            entries.index.clear();
            while (entries.eldest != null) {
                entries.unlink(entries.eldest); // a hit racing this drop then finds its entry unlinked and leaves it be
            }
            size.addAndGet(-dropped);
            account(entries, -entries.bytes);
            return dropped;
        }
    }

    /** Drops everything; returns how many entries there were. */
    int clear() {
        int dropped = 0;
        for (UUID tenant : tenants.keySet()) {
            dropped += removeTenant(tenant);
        }
        return dropped;
    }

    int size() {
        return size.get();
    }

    int size(UUID tenant) {
        Entries<V> entries = tenants.get(tenant);
        return entries == null ? 0 : entries.index.size();
    }

    /** What the entries weigh in all. */
    long bytes() {
        return bytes.get();
    }

    /** Entries evicted by the bounds so far (not those removed or invalidated). */
    long evictions() {
        return evictions.get();
    }

    /** Unlinks an entry already out of the index and takes its weight off; under the tenant's lock. */
    private void drop(Entries<V> entries, Slot<V> slot) {
        entries.unlink(slot);
        account(entries, -slot.weight);
    }

    private void account(Entries<V> entries, long weight) {
        entries.bytes += weight;
        bytes.addAndGet(weight);
    }

    private void evictEldest(Entries<V> entries) {
        Slot<V> eldest = entries.eldest;
        if (eldest != null) {
            entries.index.remove(eldest.key, eldest);
            size.decrementAndGet();
            drop(entries, eldest);
            evictions.incrementAndGet();
        }
    }

    private Entries<V> heaviestTenant() {
        Entries<V> heaviest = null;
        long heaviestBytes = 0;
        for (Entries<V> entries : tenants.values()) {
            long entriesBytes;
            synchronized (entries) {
                entriesBytes = entries.eldest == null ? 0 : entries.bytes;
            }
            if (entriesBytes > heaviestBytes) {
                heaviest = entries;
                heaviestBytes = entriesBytes;
            }
        }
        return heaviest;
    }
}
