package io.fleetgate.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChangeCodecTest {

    private final UUID tenant = UUID.randomUUID();

    @Test
    void everyChangeSurvivesTheRoundTrip() {
        List<Change> changes = List.of(
                new Change.AgentsChanged(tenant, List.of("agent-1", "agent with spaces", "ägent,comma")),
                new Change.TenantChanged(tenant),
                new Change.CredentialsChanged(),
                new Change.SyncConfigChanged(),
                new Change.Resync());
        for (Change change : changes) {
            List<String> payloads = ChangeCodec.encode(change);
            assertThat(payloads).hasSize(1);
            assertThat(ChangeCodec.decode(payloads.get(0))).isEqualTo(change);
        }
    }

    @Test
    void manyAgentsAreSplitIntoPayloadsPostgresAccepts() {
        List<String> agents = IntStream.range(0, 5000).mapToObj(i -> "agent-" + i).toList();
        List<String> payloads = ChangeCodec.encode(new Change.AgentsChanged(tenant, agents));
        assertThat(payloads).hasSizeGreaterThan(1)
                .allSatisfy(p -> assertThat(p.getBytes(StandardCharsets.UTF_8).length).isLessThan(8000));
        List<String> decoded = new ArrayList<>();
        for (String payload : payloads) {
            Change.AgentsChanged change = (Change.AgentsChanged) ChangeCodec.decode(payload);
            assertThat(change.tenantId()).isEqualTo(tenant);
            decoded.addAll(change.agentUids());
        }
        assertThat(decoded).isEqualTo(agents);
    }

    @Test
    void anAgentIdTooLongForOnePayloadInvalidatesTheTenant() {
        List<String> payloads = ChangeCodec.encode(new Change.AgentsChanged(tenant, List.of("x".repeat(9000))));
        assertThat(payloads).hasSize(1);
        assertThat(ChangeCodec.decode(payloads.get(0))).isEqualTo(new Change.TenantChanged(tenant));
    }

    @Test
    void unknownOrMalformedPayloadsMeanResync() {
        assertThat(ChangeCodec.decode("")).isEqualTo(new Change.Resync());
        assertThat(ChangeCodec.decode("something-new")).isEqualTo(new Change.Resync());
        assertThat(ChangeCodec.decode("tenant\u001fnot-a-uuid")).isEqualTo(new Change.Resync());
    }
}
