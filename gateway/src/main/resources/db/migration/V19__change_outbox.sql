-- The change feed's outbox (FLEETGATE_CHANGE_FEED=outbox): one row per change notification,
-- written in the transaction that made the change, read by every replica in seq order.
-- Not distributed by tenant: a change may concern every tenant (a resync, a revoked credential).
CREATE TABLE change_outbox (
    seq        bigserial PRIMARY KEY,
    payload    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_outbox_created ON change_outbox (created_at);
