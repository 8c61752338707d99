package io.fleetgate.sweep;

/**
 * Where agents find their sweep configs (FLEETGATE_SWEEP_SOURCE): in GetConfig only (the
 * default), only in the legacy key-value store, or in both during a migration.
 */
public enum SweepSource {
    GETCONFIG, KV, BOTH;

    public boolean inGetConfig() {
        return this != KV;
    }

    public boolean inKv() {
        return this != GETCONFIG;
    }
}
