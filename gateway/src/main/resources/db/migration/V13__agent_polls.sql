-- What each agent's latest GetConfig said (written behind, in batches, by agent.PollRecorder):
-- when it polled, the version it applied (its ACK), the one it refused and why (its NACK), and
-- the poll interval it had been given, from which its liveness follows.
ALTER TABLE agents
    ADD COLUMN last_poll_at            timestamptz,
    ADD COLUMN applied_config_version  text,
    ADD COLUMN rejected_config_version text,
    ADD COLUMN reject_reason           text,
    ADD COLUMN poll_interval_sec       integer;
