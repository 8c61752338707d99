package io.fleetgate.sweep;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cache of per-tenant entries with two bounds: entries per tenant, and entries in all. A tenant
 * past its own bound loses its least recently used entry; past the global bound, the tenant holding
 * the most entries does. So a tenant that floods the cache evicts only itself, and a small tenant's
 * configs stay cached however large another grows. Each tenant's entries are locked on their own;
 * no two locks are ever held at once.
 */
final class TenantLru<V> {

    private final int maxEntries;
    private final int maxPerTenant;
    private final Map<UUID, LinkedHashMap<String, V>> tenants = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicInteger evictions = new AtomicInteger();

    TenantLru(int maxEntries, int maxPerTenant) {
        if (maxEntries < 1 || maxPerTenant < 1) {
            throw new IllegalArgumentException("cache bounds must be positive");
        }
        this.maxEntries = maxEntries;
        this.maxPerTenant = maxPerTenant;
    }

    /** The entry, now the tenant's most recently used; null if absent. */
    V get(UUID tenant, String key) {
        LinkedHashMap<String, V> entries = tenants.get(tenant);
        if (entries == null) {
            return null;
        }
        synchronized (entries) {
            return entries.get(key);
        }
    }

    /** Adds the entry unless one is there (returned then), evicting to stay within both bounds. */
    V putIfAbsent(UUID tenant, String key, V value) {
        while (true) {
            LinkedHashMap<String, V> entries = tenants.computeIfAbsent(tenant, t -> new LinkedHashMap<>(16, 0.75f, true));
            synchronized (entries) {
                if (tenants.get(tenant) != entries) {
                    continue; // dropped by removeTenant between the lookup and the lock
                }
                V present = entries.putIfAbsent(key, value);
                if (present != null) {
                    return present;
                }
                size.incrementAndGet();
                if (entries.size() > maxPerTenant) {
                    evictEldest(entries);
                }
            }
            break;
        }
        while (size.get() > maxEntries) {
            LinkedHashMap<String, V> largest = largestTenant();
            if (largest == null) {
                break;
            }
            synchronized (largest) {
                evictEldest(largest);
            }
        }
        return null;
    }

    /** Removes the entry if it is still that value. */
    boolean remove(UUID tenant, String key, V value) {
        LinkedHashMap<String, V> entries = tenants.get(tenant);
        if (entries == null) {
            return false;
        }
        synchronized (entries) {
            boolean removed = entries.remove(key, value);
            if (removed) {
                size.decrementAndGet();
            }
            return removed;
        }
    }

    boolean remove(UUID tenant, String key) {
        LinkedHashMap<String, V> entries = tenants.get(tenant);
        if (entries == null) {
            return false;
        }
        synchronized (entries) {
            boolean removed = entries.remove(key) != null;
            if (removed) {
                size.decrementAndGet();
            }
            return removed;
        }
    }

    /** Drops a tenant's entries; returns how many there were. */
    int removeTenant(UUID tenant) {
        LinkedHashMap<String, V> entries = tenants.remove(tenant);
        if (entries == null) {
            return 0;
        }
        synchronized (entries) {
            int dropped = entries.size();
            entries.clear();
            size.addAndGet(-dropped);
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
        LinkedHashMap<String, V> entries = tenants.get(tenant);
        if (entries == null) {
            return 0;
        }
        synchronized (entries) {
            return entries.size();
        }
    }

    /** Entries evicted by the bounds so far (not those removed or invalidated). */
    int evictions() {
        return evictions.get();
    }

    private void evictEldest(LinkedHashMap<String, V> entries) {
        var eldest = entries.entrySet().iterator();
        if (eldest.hasNext()) {
            eldest.next();
            eldest.remove();
            size.decrementAndGet();
            evictions.incrementAndGet();
        }
    }

    private LinkedHashMap<String, V> largestTenant() {
        LinkedHashMap<String, V> largest = null;
        int largestSize = 0;
        for (LinkedHashMap<String, V> entries : tenants.values()) {
            int entriesSize;
            synchronized (entries) {
                entriesSize = entries.size();
            }
            if (entriesSize > largestSize) {
                largest = entries;
                largestSize = entriesSize;
            }
        }
        return largest;
    }
}
