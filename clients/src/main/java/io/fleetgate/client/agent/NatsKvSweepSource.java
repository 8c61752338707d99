package io.fleetgate.client.agent;

import io.fleetgate.sweepjson.KvKeys;
import io.fleetgate.sweepjson.SweepFile;
import io.fleetgate.sweepjson.SweepPlan;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.KeyValueEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The legacy way an agent got its sweep config: the sweep.json the gateway put into a NATS
 * JetStream KV bucket under {@code agents/<agent_uid>/checkers/sweep/sweep.json}. Only used with
 * {@code --kv-url}, for gateways running FLEETGATE_SWEEP_SOURCE=kv.
 */
public final class NatsKvSweepSource implements KvSweepSource, AutoCloseable {

    private final String url;
    private final String bucket;
    private final String keyTemplate;
    private volatile Connection connection;

    public NatsKvSweepSource(String url, String bucket, String keyTemplate) {
        this.url = url;
        this.bucket = bucket;
        this.keyTemplate = keyTemplate;
    }

    @Override
    public Mono<SweepPlan> read(String tenantId, String agentId) {
        if (keyTemplate.contains("{tenant_id}") && tenantId == null) {
            return Mono.error(new IllegalStateException("the key template names the tenant, which the gateway has not told yet"));
        }
        String key = KvKeys.of(keyTemplate, tenantId == null ? "" : tenantId, agentId);
        return Mono.fromCallable(() -> {
                    KeyValue kv = connection().keyValue(bucket);
                    KeyValueEntry entry = kv.get(key);
                    if (entry == null || entry.getValue() == null) {
                        throw new IllegalStateException("no sweep config under " + key + " in bucket " + bucket);
                    }
                    return SweepFile.parse(new String(entry.getValue(), StandardCharsets.UTF_8), "kv:" + key);
                })
                .subscribeOn(Schedulers.boundedElastic());
    }

    private synchronized Connection connection() throws Exception {
        if (connection == null || connection.getStatus() == Connection.Status.CLOSED) {
            connection = Nats.connect(new Options.Builder().server(url).connectionTimeout(Duration.ofSeconds(2)).maxReconnects(-1).build());
        }
        return connection;
    }

    @Override
    public void close() throws InterruptedException {
        Connection current = connection;
        if (current != null) {
            current.close();
        }
    }
}
