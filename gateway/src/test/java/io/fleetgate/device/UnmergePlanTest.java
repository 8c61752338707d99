package io.fleetgate.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UnmergePlanTest {

    private final UUID source = UUID.randomUUID();

    private UnmergeRepository.Member member(String device, String partition, List<String> ips, List<String> macs, String agent) {
        return new UnmergeRepository.Member(UUID.randomUUID(), source, device, partition, ips, macs, agent);
    }

    @Test
    void identifiersOnlyTheSplitRecordReportsFollowItAndSharedOnesStay() {
        var web = member("nb-1", "default", List.of("10.0.0.1"), List.of("00:1a:2b:00:00:01"), null);
        var agentRecord = member("fk-1", "default", List.of("10.0.0.1", "10.0.0.2"),
                List.of("00:1a:2b:00:00:01", "00:1a:2b:00:00:02", "02:00:00:00:00:99"), "agent-a");
        UnmergePlan plan = UnmergePlan.of(List.of(web, agentRecord), agentRecord.id());
        assertThat(plan.split()).isEqualTo(agentRecord);
        assertThat(plan.remaining()).containsExactly(web);
        // the locally administered MAC is no identifier: nothing to move
        assertThat(plan.kinds()).containsExactly("mac", "ip");
        assertThat(plan.values()).containsExactly("00:1a:2b:00:00:02", "10.0.0.2");
        assertThat(plan.agents()).containsExactly("agent-a");
    }

    @Test
    void aRecordOfAnotherPartitionSharesNothing() {
        var other = member("nb-1", "building-2", List.of("10.0.0.1"), List.of(), "agent-b");
        var split = member("fk-1", "default", List.of("10.0.0.1"), List.of(), "agent-a");
        UnmergePlan plan = UnmergePlan.of(List.of(other, split), split.id());
        assertThat(plan.values()).containsExactly("10.0.0.1");
        assertThat(plan.agents()).containsExactly("agent-a", "agent-b");
    }

    @Test
    void aRecordNotOfTheDeviceOrTheOnlyOneCannotBeSplit() {
        var only = member("nb-1", "default", List.of("10.0.0.1"), List.of(), null);
        assertThatThrownBy(() -> UnmergePlan.of(List.of(only), only.id()))
                .isInstanceOfSatisfying(UnmergePlan.Refused.class, e -> assertThat(e.refusal).isEqualTo(UnmergePlan.Refusal.ONLY_RECORD));
        assertThatThrownBy(() -> UnmergePlan.of(List.of(only), UUID.randomUUID()))
                .isInstanceOfSatisfying(UnmergePlan.Refused.class,
                        e -> assertThat(e.refusal).isEqualTo(UnmergePlan.Refusal.NOT_A_RECORD_OF_THE_DEVICE));
    }
}
