package io.fleetgate.kv;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The legacy key-value store (used only when FLEETGATE_SWEEP_SOURCE is {@code kv} or {@code both}):
 * the NATS server (FLEETGATE_NATS_URL), the JetStream KV bucket (FLEETGATE_KV_BUCKET) and the key
 * of an agent's sweep.json (FLEETGATE_KV_KEY_TEMPLATE, with {@code {agent_uid}} and
 * {@code {tenant_id}} filled in), and how often unpublished configs are retried.
 */
@ConfigurationProperties("fleetgate.kv")
public record KvProperties(
        String url,
        String bucket,
        String keyTemplate,
        Duration retryEvery) {
}
