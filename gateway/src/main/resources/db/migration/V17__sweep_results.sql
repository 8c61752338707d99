-- Sweep results (SPEC 13.3): what each agent last saw of each IP it sweeps, with the state flap
-- damping gives it; history holds the transitions only; each agent's last sweep; and each
-- canonical device's availability, kept as its observations change so the device list can filter
-- by it. Written for every host of every results batch: no foreign keys (a check per row), a
-- trigger on tenants cleans up instead.

CREATE TABLE host_observations (
    tenant_id        uuid             NOT NULL,
    agent_uid        text COLLATE "C" NOT NULL,
    ip               text COLLATE "C" NOT NULL,
    icmp_available   boolean          NOT NULL,
    icmp_rtt_us      integer,
    open_ports       integer[]        NOT NULL,
    closed_ports     integer[]        NOT NULL,
    filtered_ports   integer[]        NOT NULL,
    observed_at      timestamptz      NOT NULL,
    sweep_started_at timestamptz      NOT NULL,
    config_version   text,
    state            text             NOT NULL CHECK (state IN ('unknown', 'up', 'down')),
    failures         integer          NOT NULL, -- consecutive sweeps in which the host did not answer
    state_since      timestamptz      NOT NULL,
    PRIMARY KEY (tenant_id, agent_uid, ip)
);
-- every agent's view of one IP: a device's page and its availability
CREATE INDEX host_observations_ip ON host_observations (tenant_id, ip);

CREATE TABLE availability_transitions (
    tenant_id  uuid             NOT NULL,
    id         bigint GENERATED ALWAYS AS IDENTITY,
    agent_uid  text COLLATE "C" NOT NULL,
    ip         text COLLATE "C" NOT NULL,
    from_state text             NOT NULL,
    to_state   text             NOT NULL,
    at         timestamptz      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX availability_transitions_ip ON availability_transitions (tenant_id, ip, at DESC);
-- retention prunes the oldest first
CREATE INDEX availability_transitions_at ON availability_transitions (at);

-- Each agent's latest sweep as its results arrived: when, how many hosts answered and how many not.
CREATE TABLE agent_sweeps (
    tenant_id        uuid             NOT NULL,
    agent_uid        text COLLATE "C" NOT NULL,
    sweep_started_at timestamptz      NOT NULL,
    completed_at     timestamptz,
    config_version   text,
    hosts            integer          NOT NULL,
    answered         integer          NOT NULL,
    silent           integer          NOT NULL,
    PRIMARY KEY (tenant_id, agent_uid)
);

-- A canonical device's availability by FLEETGATE_AVAILABILITY_RULE over the observations of the
-- IPs it holds; no row: unknown (never swept, or no state decided yet).
CREATE TABLE device_availability (
    tenant_id           uuid        NOT NULL,
    canonical_device_id uuid        NOT NULL,
    state               text        NOT NULL CHECK (state IN ('available', 'unavailable')),
    since               timestamptz NOT NULL,
    rule                text        NOT NULL CHECK (rule IN ('any', 'all')),
    PRIMARY KEY (tenant_id, canonical_device_id)
);
-- the device list's availability filter, in canonical order
CREATE INDEX device_availability_state ON device_availability (tenant_id, state, canonical_device_id);

CREATE FUNCTION delete_tenant_sweep_results() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    DELETE FROM host_observations WHERE tenant_id = OLD.id;
    DELETE FROM availability_transitions WHERE tenant_id = OLD.id;
    DELETE FROM agent_sweeps WHERE tenant_id = OLD.id;
    DELETE FROM device_availability WHERE tenant_id = OLD.id;
    RETURN OLD;
END
$$;

CREATE TRIGGER tenants_delete_sweep_results AFTER DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION delete_tenant_sweep_results();
