-- A platform admin's overrides of the SaaS sync quotas for one tenant; a null column (or no row)
-- means the gateway's default (FLEETGATE_SAAS_*).
CREATE TABLE saas_quotas (
    tenant_id             uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    max_sources           integer CHECK (max_sources BETWEEN 0 AND 100000),
    max_devices_per_run   integer CHECK (max_devices_per_run BETWEEN 1 AND 10000000),
    min_poll_interval_sec integer CHECK (min_poll_interval_sec BETWEEN 10 AND 604800),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
