-- What an agent should run, as far as the gateway knows without building its config: the version
-- handed out at its latest poll, since when it has been that, and how many device targets it held
-- (written behind with the poll).
ALTER TABLE agents
    ADD COLUMN desired_config_version text,
    ADD COLUMN desired_since          timestamptz,
    ADD COLUMN desired_targets        integer;

-- When a change last may have altered an agent's sweep config (its devices), or every config of
-- a tenant (its sources). Written in the transaction of the change: an agent that has not polled
-- since is behind, even when it never polls again.
CREATE TABLE agent_config_changes (
    tenant_id  uuid        NOT NULL,
    agent_uid  text        NOT NULL,
    changed_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, agent_uid),
    FOREIGN KEY (tenant_id, agent_uid) REFERENCES agents (tenant_id, agent_uid) ON DELETE CASCADE
);

CREATE TABLE tenant_config_changes (
    tenant_id  uuid        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    changed_at timestamptz NOT NULL
);
