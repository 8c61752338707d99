-- Hello bounds each tenant's agents (FLEETGATE_MAX_AGENTS_PER_TENANT). Counting a tenant's agents
-- on every new agent's Hello made registering a fleet quadratic (100,000 agents: minutes of
-- count(*)); triggers keep the count here instead, so the bound is one primary-key read.
CREATE TABLE tenant_agent_counts (
    tenant_id uuid   PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    agents    bigint NOT NULL CHECK (agents >= 0)
);

INSERT INTO tenant_agent_counts (tenant_id, agents) SELECT tenant_id, count(*) FROM agents GROUP BY tenant_id;

-- statement-level, over the transition table: an upsert that only updates known agents inserts no rows
CREATE FUNCTION count_tenant_agents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO tenant_agent_counts AS c (tenant_id, agents)
        SELECT tenant_id, count(*) FROM new_agents GROUP BY tenant_id
        ON CONFLICT (tenant_id) DO UPDATE SET agents = c.agents + excluded.agents;
    ELSE
        UPDATE tenant_agent_counts c SET agents = c.agents - gone.agents
          FROM (SELECT tenant_id, count(*) AS agents FROM old_agents GROUP BY tenant_id) gone
         WHERE c.tenant_id = gone.tenant_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER agents_counted_on_insert AFTER INSERT ON agents
    REFERENCING NEW TABLE AS new_agents FOR EACH STATEMENT EXECUTE FUNCTION count_tenant_agents();
CREATE TRIGGER agents_counted_on_delete AFTER DELETE ON agents
    REFERENCING OLD TABLE AS old_agents FOR EACH STATEMENT EXECUTE FUNCTION count_tenant_agents();
