package io.fleetgate.sweepjson;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KvKeysTest {

    private static final String TEMPLATE = "tenants/{tenant_id}/agents/{agent_uid}/checkers/sweep/sweep.json";

    @Test
    void fillsInTheTenantAndTheAgent() {
        assertThat(KvKeys.of(TEMPLATE, "7f0c1c8e-9d1b-4c1e-8a57-5c1f2f0e1a11", "agent-1.dc_2"))
                .isEqualTo("tenants/7f0c1c8e-9d1b-4c1e-8a57-5c1f2f0e1a11/agents/agent-1.dc_2/checkers/sweep/sweep.json");
    }

    @Test
    void charactersNatsKeysRefuseBecomeUnderscores() {
        assertThat(KvKeys.of("agents/{agent_uid}", "t", "edge agent*>#1é")).isEqualTo("agents/edge_agent___1_");
    }

    @Test
    void aTemplateWithoutPlaceholdersIsTheKeyItself() {
        assertThat(KvKeys.of("sweep.json", "t", "a")).isEqualTo("sweep.json");
    }
}
