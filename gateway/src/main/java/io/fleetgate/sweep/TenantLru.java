package io.fleetgate.sweep;

import java.util.LinkedHashMap;
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

    /** One tenant's entries in access order, and what they weigh. */
    private static final class Entries<V> {
        final LinkedHashMap<String, V> map = new LinkedHashMap<>(16, 0.75f, true);
        long bytes;
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

    /** The entry, now the tenant's most recently used; null if absent. */
    V get(UUID tenant, String key) {
        Entries<V> entries = tenants.get(tenant);
        if (entries == null) {
            return null;
        }
        synchronized (entries) {
            return entries.map.get(key);
        }
    }

    /** Adds or replaces the entry, evicting to stay within the bounds. */
    void put(UUID tenant, String key, V value) {
        long weight = weigher.applyAsLong(value);
        while (true) {
            Entries<V> entries = tenants.computeIfAbsent(tenant, t -> new Entries<>());
            synchronized (entries) {
                if (tenants.get(tenant) != entries) {
                    continue; // dropped by removeTenant between the lookup and the lock
                }
                V replaced = entries.map.put(key, value);
                if (replaced == null) {
                    size.incrementAndGet();
                } else {
                    account(entries, -weigher.applyAsLong(replaced));
                }
                account(entries, weight);
                if (entries.map.size() > maxPerTenant) {
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
            V removed = entries.map.remove(key);
            if (removed == null) {
                return false;
            }
            size.decrementAndGet();
            account(entries, -weigher.applyAsLong(removed));
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
            int dropped = entries.map.size();
            entries.map.clear();
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
        if (entries == null) {
            return 0;
        }
        synchronized (entries) {
            return entries.map.size();
        }
    }

    /** What the entries weigh in all. */
    long bytes() {
        return bytes.get();
    }

    /** Entries evicted by the bounds so far (not those removed or invalidated). */
    long evictions() {
        return evictions.get();
    }

    private void account(Entries<V> entries, long weight) {
        entries.bytes += weight;
        bytes.addAndGet(weight);
    }

    private void evictEldest(Entries<V> entries) {
        var eldest = entries.map.entrySet().iterator();
        if (eldest.hasNext()) {
            V value = eldest.next().getValue();
            eldest.remove();
            size.decrementAndGet();
            account(entries, -weigher.applyAsLong(value));
            evictions.incrementAndGet();
        }
    }

    private Entries<V> heaviestTenant() {
        Entries<V> heaviest = null;
        long heaviestBytes = 0;
        for (Entries<V> entries : tenants.values()) {
            long entriesBytes;
            synchronized (entries) {
                entriesBytes = entries.map.isEmpty() ? 0 : entries.bytes;
            }
            if (entriesBytes > heaviestBytes) {
                heaviest = entries;
                heaviestBytes = entriesBytes;
            }
        }
        return heaviest;
    }
}
