CREATE TABLE agents (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    agent_uid      text        NOT NULL,
    hostname       text,
    version        text,
    capabilities   text[]      NOT NULL DEFAULT '{}',
    partition      text,
    labels         jsonb       NOT NULL DEFAULT '{}',
    config_version text,
    last_seen_at   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, agent_uid)
);
