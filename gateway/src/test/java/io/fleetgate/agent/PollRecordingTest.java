package io.fleetgate.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** GetConfig polls reach the agents table behind the request path, one statement per flush. */
class PollRecordingTest extends GatewayTest {

    @Autowired
    PollRecorder recorder;

    @Test
    void aPollIsWrittenAtTheNextFlushWithWhatTheAgentAppliedAndRefused() {
        UUID tenant = createTenant("polls");
        String token = agentToken(tenant);
        var stub = GrpcClients.blocking(channel(), token);
        stub.hello(AgentHelloRequest.newBuilder().setAgentId("poller").build());
        String desired = stub.getConfig(AgentConfigRequest.newBuilder().setAgentId("poller").build()).getConfigVersion();
        stub.getConfig(AgentConfigRequest.newBuilder().setAgentId("poller").setConfigVersion("older")
                .setRejectedConfigVersion(desired).setRejectReason("cannot sweep IPv6").build());
        assertThat(column(tenant, "last_poll_at")).as("nothing written on the request path").isNull();

        recorder.flush().block(Duration.ofSeconds(10));
        assertThat(column(tenant, "last_poll_at")).isNotNull();
        assertThat(column(tenant, "applied_config_version")).isEqualTo("older");
        assertThat(column(tenant, "rejected_config_version")).isEqualTo(desired);
        assertThat(column(tenant, "reject_reason")).isEqualTo("cannot sweep IPv6");
        assertThat(column(tenant, "poll_interval_sec")).isEqualTo(30);
    }

    @Test
    void replicasWritingTheSameAgentKeepItsLatestPoll() {
        UUID tenant = tenantWithPoller("polls-merge");
        Instant now = Instant.now();
        recorder.record(new PollRecorder.Poll(tenant, "poller", now, "v2", null, null, 30, "v4", 1, true));
        recorder.flush().block(Duration.ofSeconds(10));
        // another replica flushes an older poll of the same agent later
        recorder.record(new PollRecorder.Poll(tenant, "poller", now.minusSeconds(3), "v1", null, null, 30, "v4", 1, true));
        recorder.flush().block(Duration.ofSeconds(10));
        assertThat(column(tenant, "applied_config_version")).isEqualTo("v2");
        // and within one replica, the later of two polls between flushes is the one written
        recorder.record(new PollRecorder.Poll(tenant, "poller", now.plusSeconds(2), "v4", null, null, 30, "v4", 1, true));
        recorder.record(new PollRecorder.Poll(tenant, "poller", now.plusSeconds(1), "v3", null, null, 30, "v4", 1, true));
        recorder.flush().block(Duration.ofSeconds(10));
        assertThat(column(tenant, "applied_config_version")).isEqualTo("v4");
        assertThat(lastPollIs(tenant, now.plusSeconds(2))).isTrue();
    }

    @Test
    void aWatchsKeepAliveMovesThePollTimeButNotWhatTheAgentSaidItApplied() {
        UUID tenant = tenantWithPoller("polls-keepalive");
        Instant now = Instant.now();
        recorder.record(new PollRecorder.Poll(tenant, "poller", now, "v2", "v3", "too many targets", 30, "v3", 1, true));
        recorder.flush().block(Duration.ofSeconds(10));
        recorder.record(new PollRecorder.Poll(tenant, "poller", now.plusSeconds(30), null, null, null, 30, "v3", 1, false));
        recorder.flush().block(Duration.ofSeconds(10));
        assertThat(column(tenant, "applied_config_version")).isEqualTo("v2");
        assertThat(column(tenant, "rejected_config_version")).isEqualTo("v3");
        assertThat(column(tenant, "reject_reason")).isEqualTo("too many targets");
        assertThat(lastPollIs(tenant, now.plusSeconds(30))).isTrue();
    }

    @Test
    void aPollThatTellsNothingNewIsWrittenAgainOnlyHalfAPollIntervalLater() {
        UUID tenant = tenantWithPoller("polls-repeat");
        Instant now = clock.instant();
        recorder.record(new PollRecorder.Poll(tenant, "poller", now, "v2", null, null, 30, "v2", 1, true));
        recorder.flush().block(Duration.ofSeconds(10));

        recorder.record(new PollRecorder.Poll(tenant, "poller", now.plusSeconds(10), "v2", null, null, 30, "v2", 1, true));
        recorder.record(new PollRecorder.Poll(tenant, "poller", now.plusSeconds(12), null, null, null, 30, "v2", 1, false));
        recorder.flush().block(Duration.ofSeconds(10));
        assertThat(lastPollIs(tenant, now)).as("a poll and a keep-alive repeating the written one").isTrue();

        recorder.record(new PollRecorder.Poll(tenant, "poller", now.plusSeconds(13), null, null, null, 30, "v3", 2, false));
        recorder.flush().block(Duration.ofSeconds(10));
        assertThat(lastPollIs(tenant, now.plusSeconds(13))).as("a new desired version").isTrue();
        recorder.record(new PollRecorder.Poll(tenant, "poller", now.plusSeconds(14), "v3", null, null, 30, "v3", 2, true));
        recorder.flush().block(Duration.ofSeconds(10));
        assertThat(column(tenant, "applied_config_version")).as("a new applied version").isEqualTo("v3");

        clock.advance(Duration.ofSeconds(30));
        recorder.record(new PollRecorder.Poll(tenant, "poller", now.plusSeconds(29), "v3", null, null, 30, "v3", 2, true));
        recorder.flush().block(Duration.ofSeconds(10));
        assertThat(lastPollIs(tenant, now.plusSeconds(29))).as("half an interval after the written poll").isTrue();
    }

    @Test
    void aPollAfterAChangeSettlesTheChangesMarkAndAPollBeforeItDoesNot() throws SQLException {
        UUID tenant = tenantWithPoller("polls-marks");
        Instant now = clock.instant();
        mark(tenant, now.minusSeconds(10));

        recorder.record(new PollRecorder.Poll(tenant, "poller", now.minusSeconds(20), "v1", null, null, 30, "v1", 1, true));
        recorder.flush().block(Duration.ofSeconds(10));
        assertThat(marks(tenant)).as("a poll before the change").isEqualTo(1L);

        recorder.record(new PollRecorder.Poll(tenant, "poller", now, "v1", null, null, 30, "v2", 1, true));
        recorder.flush().block(Duration.ofSeconds(10));
        assertThat(marks(tenant)).as("a poll after it").isZero();
    }

    @Test
    void aMarkThatASyncBatchHoldsIsSkippedNotWaitedOn() throws SQLException {
        UUID tenant = tenantWithPoller("polls-held");
        Instant now = clock.instant();
        mark(tenant, now.minusSeconds(10));
        try (Connection batch = jdbc(); PreparedStatement hold = batch.prepareStatement(
                "UPDATE agent_config_changes SET changed_at = changed_at WHERE tenant_id = ?")) {
            batch.setAutoCommit(false);
            hold.setObject(1, tenant);
            hold.executeUpdate();

            recorder.record(new PollRecorder.Poll(tenant, "poller", now, "v1", null, null, 30, "v1", 1, true));
            recorder.flush().block(Duration.ofSeconds(10));
            assertThat(lastPollIs(tenant, now)).as("the poll is written").isTrue();
            assertThat(marks(tenant)).as("the held mark stays").isEqualTo(1L);
            batch.rollback();
        }
    }

    /** A new tenant with an agent "poller" that said Hello. */
    private UUID tenantWithPoller(String prefix) {
        UUID tenant = createTenant(prefix);
        GrpcClients.blocking(channel(), agentToken(tenant)).hello(AgentHelloRequest.newBuilder().setAgentId("poller").build());
        return tenant;
    }

    private static void mark(UUID tenant, Instant at) throws SQLException {
        try (Connection db = jdbc(); PreparedStatement insert = db.prepareStatement(
                "INSERT INTO agent_config_changes (tenant_id, agent_uid, changed_at) VALUES (?, 'poller', ?)")) {
            insert.setObject(1, tenant);
            insert.setTimestamp(2, Timestamp.from(at));
            insert.executeUpdate();
        }
    }

    private static long marks(UUID tenant) {
        return (Long) queryValue("SELECT count(*) FROM agent_config_changes WHERE tenant_id = ?", tenant);
    }

    /** Whether the agent's last poll is the one at that instant, to the microsecond the database keeps. */
    private static boolean lastPollIs(UUID tenant, Instant at) {
        return (Boolean) queryValue("SELECT last_poll_at = ?::timestamptz FROM agents WHERE tenant_id = ? AND agent_uid = 'poller'",
                at.truncatedTo(ChronoUnit.MICROS).toString(), tenant);
    }

    private static Object column(UUID tenant, String column) {
        return queryValue("SELECT " + column + " FROM agents WHERE tenant_id = ? AND agent_uid = 'poller'", tenant);
    }
}
