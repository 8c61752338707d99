package io.fleetgate.kv;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The legacy key-value store (used only when FLEETGATE_SWEEP_SOURCE is {@code kv} or {@code both}):
 * the NATS server (FLEETGATE_NATS_URL), the JetStream KV bucket (FLEETGATE_KV_BUCKET) and the key
 * of an agent's sweep.json (FLEETGATE_KV_KEY_TEMPLATE, with {@code {agent_uid}} and
 * {@code {tenant_id}} filled in), and how often unpublished configs are retried.
 */
@ConfigurationProperties("fleetgate.kv")
public record KvProperties(
        @DefaultValue("nats://127.0.0.1:4222") String url,
        @DefaultValue("datasvc") String bucket,
        @DefaultValue("agents/{agent_uid}/checkers/sweep/sweep.json") String keyTemplate,
        @DefaultValue("5s") Duration retryEvery) {
}
