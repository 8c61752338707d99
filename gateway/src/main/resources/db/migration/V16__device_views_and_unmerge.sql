-- Devices as operators see them (SPEC 13.4): canonical devices listed in id order and found by
-- hostname prefix, IP or CIDR, MAC, source and agent, each filter by an index; an operator may
-- split a source record out of a wrong merge, and a guard refuses merges that join too many.

-- The list's order (and a device page's records).
CREATE INDEX discovered_devices_canonical ON discovered_devices (tenant_id, canonical_device_id);
-- Hostname prefix, any case: starts_with() uses a btree under the "C" collation.
CREATE INDEX discovered_devices_hostname ON discovered_devices (tenant_id, (lower(hostname) COLLATE "C"));
-- A MAC in any notation (stored normalised), usable for identity or not.
CREATE INDEX discovered_devices_macs ON discovered_devices USING gin (mac_addresses);
-- Devices with an agent of their own, in canonical order: the agent filter walks it; the sweep's
-- reads use its first two columns as they used the index it replaces.
CREATE INDEX discovered_devices_agent_canonical ON discovered_devices (tenant_id, agent_uid, canonical_device_id)
    WHERE agent_uid IS NOT NULL;
DROP INDEX discovered_devices_agent;
-- IP and CIDR filters over the IPs canonical devices hold: inet order, so a CIDR is one range.
CREATE INDEX device_identifiers_ip ON device_identifiers (tenant_id, (value::inet)) WHERE kind = 'ip';

-- Which batch of which source made a merge (NULL for merges recorded before this migration).
ALTER TABLE device_merges
    ADD COLUMN integration_source_id uuid,
    ADD COLUMN batch_seq bigint;
-- "which IPs moved away from this device" on its page (written only when an IP moves)
CREATE INDEX device_merges_previous ON device_merges (previous_canonical_device_id)
    WHERE previous_canonical_device_id IS NOT NULL;

-- A source record split out of a canonical device by an operator: who, why, from and to.
CREATE TABLE device_unmerges (
    tenant_id                uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                       bigint GENERATED ALWAYS AS IDENTITY,
    discovered_device_id     uuid        NOT NULL,
    integration_source_id    uuid        NOT NULL,
    device_id                text COLLATE "C" NOT NULL,
    from_canonical_device_id uuid        NOT NULL,
    to_canonical_device_id   uuid        NOT NULL,
    reason                   text        NOT NULL,
    unmerged_by              text        NOT NULL,
    unmerged_at              timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX device_unmerges_from ON device_unmerges (tenant_id, from_canonical_device_id);
CREATE INDEX device_unmerges_to ON device_unmerges (tenant_id, to_canonical_device_id);

-- Pairs of source records identity never joins again (written both ways by an unmerge). Keyed by
-- what the source calls the device, as identity knows a batch's devices; it goes with either source.
CREATE TABLE device_keep_apart (
    tenant_id             uuid             NOT NULL,
    integration_source_id uuid             NOT NULL REFERENCES integration_sources (id) ON DELETE CASCADE,
    device_id             text COLLATE "C" NOT NULL,
    other_source_id       uuid             NOT NULL REFERENCES integration_sources (id) ON DELETE CASCADE,
    other_device_id       text COLLATE "C" NOT NULL,
    unmerge_id            bigint           NOT NULL,
    PRIMARY KEY (tenant_id, integration_source_id, device_id, other_source_id, other_device_id),
    FOREIGN KEY (tenant_id, unmerge_id) REFERENCES device_unmerges (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX device_keep_apart_other ON device_keep_apart (other_source_id);

-- Merges the guard refused: through this key, a batch would have joined `devices` previously
-- distinct devices into canonical_device_id.
CREATE TABLE merge_guard_events (
    tenant_id             uuid             NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                    bigint GENERATED ALWAYS AS IDENTITY,
    partition             text             NOT NULL,
    integration_source_id uuid             NOT NULL,
    batch_seq             bigint           NOT NULL,
    kind                  text             NOT NULL CHECK (kind IN ('mac', 'ip')),
    key                   text COLLATE "C" NOT NULL,
    canonical_device_id   uuid             NOT NULL,
    devices               integer          NOT NULL,
    guarded_at            timestamptz      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX merge_guard_events_key ON merge_guard_events (tenant_id, key);
CREATE INDEX merge_guard_events_canonical ON merge_guard_events (tenant_id, canonical_device_id);
