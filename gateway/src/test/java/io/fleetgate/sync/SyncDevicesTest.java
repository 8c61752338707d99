package io.fleetgate.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.fleetgate.changes.Change;
import io.fleetgate.changes.Changes;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.DeviceRejection;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.proto.SyncDevicesResponse;
import io.fleetgate.test.Await;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** SyncDevices over a real port into the real database. */
@Tag("change-feed")
class SyncDevicesTest extends GatewayTest {

    @Autowired
    Changes feed;

    @Autowired
    MeterRegistry meters;

    private UUID tenant;
    private Onboarded sync;
    private UUID source;

    @BeforeEach
    void onboard() {
        tenant = createTenant("ingest");
        sync = onboardSyncService(tenant);
        source = createSource(tenant, sync.id(), Map.of("agent_uid", "agent-default"));
    }

    static DiscoveredDevice.Builder device(String id, String... ips) {
        return DiscoveredDevice.newBuilder().setDeviceId(id).setSourceType("faker").addAllIpAddresses(List.of(ips));
    }

    private SyncDevicesRequest batch(long seq, UUID sourceId, DiscoveredDevice.Builder... devices) {
        SyncDevicesRequest.Builder request = SyncDevicesRequest.newBuilder().setBatchSeq(seq).setIntegrationSourceId(sourceId.toString());
        for (DiscoveredDevice.Builder device : devices) {
            request.addDevices(device);
        }
        return request.build();
    }

    private List<SyncDevicesResponse> send(String credential, SyncDevicesRequest... batches) {
        return GrpcClients.reactor(channel(), credential).syncDevices(Flux.just(batches)).collectList().block(Duration.ofSeconds(60));
    }

    private long rows(String sql, Object... args) {
        return ((Number) queryValue(sql, args)).longValue();
    }

    @Test
    void countsAreExactAndAReplayCreatesNothing() {
        SyncDevicesRequest first = batch(1, source, device("d1", "127.0.1.1"), device("d2", "127.0.1.2"), device("d3", "127.0.1.3"));
        SyncDevicesResponse created = send(sync.credential(), first).get(0);
        assertThat(created.getSuccess()).isTrue();
        assertThat(created.getBatchSeq()).isEqualTo(1);
        assertThat(created.getDevicesProcessed()).isEqualTo(3);
        assertThat(created.getDevicesCreated()).isEqualTo(3);
        assertThat(created.getDevicesUpdated()).isZero();
        Object canonical = queryValue("SELECT canonical_device_id FROM discovered_devices WHERE tenant_id = ? AND device_id = 'd1'", tenant);
        Object firstSeen = queryValue("SELECT first_seen_at FROM discovered_devices WHERE tenant_id = ? AND device_id = 'd1'", tenant);

        clock.advance(Duration.ofMinutes(5));
        SyncDevicesResponse replayed = send(sync.credential(), first).get(0);
        assertThat(replayed.getDevicesCreated()).isZero();
        assertThat(replayed.getDevicesUpdated()).isEqualTo(3);
        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE tenant_id = ?", tenant)).isEqualTo(3);
        assertThat(queryValue("SELECT canonical_device_id FROM discovered_devices WHERE tenant_id = ? AND device_id = 'd1'", tenant))
                .isEqualTo(canonical);
        assertThat(queryValue("SELECT first_seen_at FROM discovered_devices WHERE tenant_id = ? AND device_id = 'd1'", tenant))
                .isEqualTo(firstSeen);
        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE tenant_id = ? AND last_seen_at > first_seen_at", tenant)).isEqualTo(3);
        assertThat(rows("SELECT count(*) FROM device_merges WHERE tenant_id = ?", tenant)).isZero();
        assertThat(rows("SELECT last_device_count FROM integration_sources WHERE id = ?", source)).isEqualTo(3);
    }

    @Test
    void aKeyRepeatedInABatchCollapsesAndTheLastOneWins() {
        SyncDevicesResponse response = send(sync.credential(), batch(1, source,
                device("dup", "127.0.2.1").setHostname("first"), device("other", "127.0.2.2"),
                device("dup", "127.0.2.3").setHostname("last"))).get(0);
        assertThat(response.getDevicesProcessed()).isEqualTo(3);
        assertThat(response.getDevicesCreated()).isEqualTo(2);
        assertThat(response.getDevicesRejected()).isZero();
        assertThat(queryValue("SELECT hostname FROM discovered_devices WHERE tenant_id = ? AND device_id = 'dup'", tenant)).isEqualTo("last");
        assertThat(queryValue("SELECT ip_addresses::text FROM discovered_devices WHERE tenant_id = ? AND device_id = 'dup'", tenant))
                .isEqualTo("{127.0.2.3}");
    }

    @Test
    void badDevicesAreRejectedAndTheRestIsStored() {
        SyncDevicesResponse response = send(sync.credential(), batch(1, source,
                device("good-1", "127.0.3.1").addMacAddresses("00-1A-2B-3C-4D-5E").addPorts(22)
                        .setRawData(ByteString.copyFromUtf8("{\"ports\":[80]}")),
                device("", "127.0.3.2"),
                device("no-ip"),
                device("bad-ip", "127.0.3.999"),
                device("bad-mac", "127.0.3.4").addMacAddresses("nope"),
                device("bad-port", "127.0.3.5").addPorts(70000),
                device("bad-json", "127.0.3.6").setRawData(ByteString.copyFromUtf8("{oops")),
                device("other-type", "127.0.3.7").setSourceType("armis"),
                device("good-2", "::FFFF:127.0.3.8"))).get(0);
        assertThat(response.getDevicesProcessed()).isEqualTo(9);
        assertThat(response.getDevicesCreated()).isEqualTo(2);
        assertThat(response.getDevicesRejected()).isEqualTo(7);
        assertThat(response.getRejectionsList()).extracting(DeviceRejection::getIndex).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(response.getRejectionsList()).extracting(r -> r.getReason().substring(0, r.getReason().indexOf(':')))
                .containsExactly("missing_device_id", "no_ip_address", "invalid_ip_address", "invalid_mac_address", "invalid_port",
                        "invalid_raw_data", "source_type_mismatch");
        assertThat(response.getRejections(2).getDeviceId()).isEqualTo("bad-ip");
        assertThat(queryValue("SELECT mac_addresses::text FROM discovered_devices WHERE tenant_id = ? AND device_id = 'good-1'", tenant))
                .isEqualTo("{00:1a:2b:3c:4d:5e}");
        assertThat(queryValue("SELECT raw_data_ports::text FROM discovered_devices WHERE tenant_id = ? AND device_id = 'good-1'", tenant))
                .isEqualTo("{80}");
        assertThat(queryValue("SELECT ip_addresses::text FROM discovered_devices WHERE tenant_id = ? AND device_id = 'good-2'", tenant))
                .isEqualTo("{127.0.3.8}");
        String metrics = anonymous().get().uri("/actuator/prometheus").exchange().expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).contains("fleetgate_devices_rejected_total{application=\"fleetgate\",reason=\"invalid_mac_address\"}")
                .contains("fleetgate_devices_stored_total{application=\"fleetgate\",outcome=\"created\"}").contains("fleetgate_sync_upsert_seconds_count")
                .contains("fleetgate_sync_batch_size_count").contains("fleetgate_sync_streams_active");
    }

    @Test
    void rawDataJsonbWouldRefuseIsRejectedPerDeviceAndTheBatchStillCommits() {
        Random random = new Random(20261203);
        DiscoveredDevice.Builder[] devices = new DiscoveredDevice.Builder[1000];
        for (int i = 0; i < devices.length; i++) {
            devices[i] = device("adversarial-" + i, "127.0.4." + (i % 250 + 1)).setRawData(ByteString.copyFrom(AdversarialJson.next(random)));
        }
        devices[0].setRawData(ByteString.copyFromUtf8("{\"n\":\"\\ud83d\"}"));
        devices[1].setRawData(ByteString.copyFromUtf8("{\"x\":1e1000000}"));
        devices[2].setRawData(ByteString.copyFromUtf8("\uFEFF{\"a\":1}"));

        SyncDevicesResponse response = send(sync.credential(), batch(1, source, devices)).get(0);

        assertThat(response.getSuccess()).isTrue();
        assertThat(response.getRejectionsList()).extracting(DeviceRejection::getIndex).contains(0, 1, 2);
        assertThat(response.getDevicesRejected()).isLessThan(devices.length); // the generator also makes valid records
        assertThat(response.getDevicesCreated()).isEqualTo(devices.length - response.getDevicesRejected());
        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE tenant_id = ?", tenant)).isEqualTo(response.getDevicesCreated());
    }

    @Test
    void batchesOfAStreamAreAcknowledgedInOrder() {
        SyncDevicesRequest[] batches = IntStream.rangeClosed(1, 40)
                .mapToObj(seq -> batch(seq * 10L, source, device("order-" + seq, "127.0.4." + seq)))
                .toArray(SyncDevicesRequest[]::new);
        List<SyncDevicesResponse> responses = send(sync.credential(), batches);
        assertThat(responses).extracting(SyncDevicesResponse::getBatchSeq)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 40).mapToObj(seq -> seq * 10L).toList());
        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE tenant_id = ?", tenant)).isEqualTo(40);
    }

    @Test
    void aBatchArrivingWhileTheOneBeforeIsStoredWaitsItsTurnAndItsRejectionsCountOnce() throws Exception {
        Sinks.Many<SyncDevicesRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        List<SyncDevicesResponse> responses = new CopyOnWriteArrayList<>();
        Disposable call = GrpcClients.reactor(channel(), sync.credential()).syncDevices(requests.asFlux()).subscribe(responses::add);
        double rejectedBefore;
        try (Connection lock = jdbc(); Statement statement = lock.createStatement()) {
            requests.tryEmitNext(batch(1, source, device("turn-1", "127.0.8.1")));
            awaitSize(responses, 1); // the stream knows its source now
            rejectedBefore = rejectedInvalidIps();
            lock.setAutoCommit(false);
            statement.execute("SELECT 1 FROM integration_sources WHERE id = '" + source + "' FOR UPDATE");
            requests.tryEmitNext(batch(2, source, device("turn-2", "127.0.8.2")));
            Await.until(Duration.ofSeconds(10), () -> rows("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    + " AND query LIKE '%UPDATE integration_sources%'") == 1);
            requests.tryEmitNext(batch(3, source, device("turn-3", "127.0.8.3"), device("turn-bad", "not-an-ip")));
            assertThat(responses).hasSize(1); // batch 3 cannot overtake batch 2: the order below says so
            lock.commit();
            awaitSize(responses, 3);
        } finally {
            call.dispose();
        }
        assertThat(responses).extracting(SyncDevicesResponse::getBatchSeq).containsExactly(1L, 2L, 3L);
        assertThat(responses.get(2).getDevicesRejected()).isEqualTo(1);
        assertThat(responses.get(2).getRejections(0).getDeviceId()).isEqualTo("turn-bad");
        assertThat(rejectedInvalidIps()).isEqualTo(rejectedBefore + 1);
        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE tenant_id = ?", tenant)).isEqualTo(3);
    }

    private double rejectedInvalidIps() {
        return meters.counter("fleetgate.devices.rejected", "reason", RejectionReason.INVALID_IP_ADDRESS.code()).count();
    }

    @Test
    void aBatchNumberThatDoesNotIncreaseEndsTheStream() {
        StepVerifier.create(GrpcClients.reactor(channel(), sync.credential()).syncDevices(Flux.just(
                        batch(5, source, device("seq-1", "127.0.5.1")), batch(5, source, device("seq-2", "127.0.5.2")))))
                .expectNextMatches(SyncDevicesResponse::getSuccess)
                .expectErrorSatisfies(e -> assertThat(GrpcClients.code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .verify(Duration.ofSeconds(30));
        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE tenant_id = ?", tenant)).isEqualTo(1);
    }

    @Test
    void aSyncServiceWritesOnlyIntoItsOwnTenantsSourcesAssignedToIt() {
        UUID otherTenant = createTenant("victim");
        UUID othersSource = createSource(otherTenant, onboardSyncService(otherTenant).id(), Map.of());
        UUID sourceOnPlatformSync = createSource(tenant, platformSyncServiceId(), Map.of());

        assertThat(code(sync.credential(), batch(1, othersSource, device("x", "127.0.6.1")))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(sync.credential(), batch(1, source, device("x", "127.0.6.1")).toBuilder()
                .setTenantId(otherTenant.toString()).build())).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(sync.credential(), batch(1, sourceOnPlatformSync, device("x", "127.0.6.1")))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(sync.credential(), batch(1, source, device("x", "127.0.6.1")).toBuilder()
                .setSyncServiceId(UUID.randomUUID().toString()).build())).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(sync.credential(), batch(1, UUID.randomUUID(), device("x", "127.0.6.1")))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(agentToken(tenant), batch(1, source, device("x", "127.0.6.1")))).isEqualTo(Status.Code.PERMISSION_DENIED);
        // the platform sync must name the tenant, and then may write into its sources on the platform sync
        assertThat(code(PLATFORM_TOKEN, batch(1, sourceOnPlatformSync, device("x", "127.0.6.1")))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(send(PLATFORM_TOKEN, batch(1, sourceOnPlatformSync, device("x", "127.0.6.1")).toBuilder()
                .setTenantId(tenant.toString()).build()).get(0).getDevicesCreated()).isEqualTo(1);
        assertThat(code(PLATFORM_TOKEN, batch(1, othersSource, device("x", "127.0.6.1")).toBuilder()
                .setTenantId(otherTenant.toString()).build())).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE tenant_id = ?", otherTenant)).isZero();
    }

    @Test
    void trafficIsAHeartbeat() {
        assertThat(queryValue("SELECT last_heartbeat_at FROM sync_services WHERE id = ?", sync.id())).isNull();
        send(sync.credential(), batch(1, source, device("beat", "127.0.7.1")));
        assertThat(queryValue("SELECT status FROM sync_services WHERE id = ?", sync.id())).isEqualTo("online");
        assertThat(queryValue("SELECT last_heartbeat_at FROM sync_services WHERE id = ?", sync.id())).isNotNull();
    }

    @Test
    void theAgentsWhoseDevicesChangedAreNotifiedAfterTheCommit() {
        List<Change.AgentsChanged> seen = new CopyOnWriteArrayList<>();
        Disposable subscription = feed.changes().ofType(Change.AgentsChanged.class)
                .filter(change -> change.tenantId().equals(tenant)).subscribe(seen::add);
        try {
            send(sync.credential(), batch(1, source, device("n1", "127.0.8.1"), device("n2", "127.0.8.2").setAgentUid("agent-b")));
            awaitSize(seen, 1);
            assertThat(seen.get(0).agentUids()).containsExactlyInAnyOrder("agent-default", "agent-b");

            // a replay changes nothing an agent sweeps: nobody is told
            send(sync.credential(), batch(2, source, device("n1", "127.0.8.1"), device("n2", "127.0.8.2").setAgentUid("agent-b")));
            // moving a device to another agent tells both
            send(sync.credential(), batch(3, source, device("n2", "127.0.8.2").setAgentUid("agent-c")));
            awaitSize(seen, 2);
            assertThat(seen).hasSize(2);
            assertThat(seen.get(1).agentUids()).containsExactlyInAnyOrder("agent-b", "agent-c");
        } finally {
            subscription.dispose();
        }
    }

    @Test
    void cancellingMidBatchLeavesAllOrNothingAndNoConnectionBehind() throws Exception {
        List<DiscoveredDevice.Builder> devices = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            devices.add(device("cancel-" + i, "127.9." + (i / 250) + "." + (i % 250 + 1)));
        }
        SyncDevicesRequest big = batch(1, source, devices.toArray(DiscoveredDevice.Builder[]::new));
        Disposable call = GrpcClients.reactor(channel(), sync.credential()).syncDevices(Flux.just(big).concatWith(Flux.never()))
                .subscribe(response -> { }, error -> { });
        // cancel while the batch's transaction holds its connection (or, on a fast machine, once it is done)
        Await.until(Duration.ofSeconds(30), () -> acquiredConnections() > 0
                || rows("SELECT count(*) FROM discovered_devices WHERE tenant_id = ?", tenant) == 20_000L);
        call.dispose();

        Await.until(Duration.ofSeconds(20), () -> acquiredConnections() == 0);
        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE tenant_id = ?", tenant)).isIn(0L, 20_000L);
    }

    private double acquiredConnections() {
        String metrics = anonymous().get().uri("/actuator/prometheus").exchange().expectBody(String.class).returnResult().getResponseBody();
        return metrics.lines().filter(line -> line.startsWith("r2dbc_pool_acquired_connections"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void anOversizedBatchEndsTheStreamAndEarlierBatchesStay() {
        DiscoveredDevice.Builder huge = device("huge", "127.0.10.2")
                .setRawData(ByteString.copyFromUtf8("{\"blob\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}"));
        // the second batch goes out once the first is acknowledged, as a client that resends unacknowledged batches does
        Sinks.Many<SyncDevicesRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        requests.tryEmitNext(batch(1, source, device("before", "127.0.10.1")));
        StepVerifier.create(GrpcClients.reactor(channel(), sync.credential()).syncDevices(requests.asFlux())
                        .doOnNext(ack -> requests.tryEmitNext(batch(2, source, huge))))
                .expectNextMatches(response -> response.getDevicesCreated() == 1)
                .expectErrorSatisfies(e -> assertThat(GrpcClients.code(e)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED))
                .verify(Duration.ofSeconds(30));
        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE tenant_id = ? AND device_id = 'before'", tenant)).isEqualTo(1);
    }

    @Test
    void deletingASourceDeletesItsDevicesAndABatchStillOnItsWayIsRefused() {
        // the stream knows the source from its first batch; the second arrives after the source was deleted
        Sinks.Many<SyncDevicesRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        requests.tryEmitNext(batch(1, source, device("kept-until-delete", "127.0.11.1")));
        StepVerifier.create(GrpcClients.reactor(channel(), sync.credential()).syncDevices(requests.asFlux())
                        .doOnNext(ack -> {
                            admin().delete().uri("/api/v1/integration-sources/{id}", source).exchange().expectStatus().isNoContent();
                            requests.tryEmitNext(batch(2, source, device("after-delete", "127.0.11.2")));
                        }))
                .expectNextMatches(response -> response.getDevicesCreated() == 1)
                .expectErrorSatisfies(e -> assertThat(GrpcClients.code(e)).isEqualTo(Status.Code.NOT_FOUND))
                .verify(Duration.ofSeconds(30));
        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE integration_source_id = ?", source)).isZero();
    }

    @Test
    void twoSourcesOfOneTypeKeepTheirOwnDevicesAndDeletingOneLeavesTheOther() {
        UUID second = createSource(tenant, sync.id(), Map.of("agent_uid", "agent-second"));
        DiscoveredDevice.Builder[] five = IntStream.rangeClosed(1, 5)
                .mapToObj(i -> device("same-" + i, "127.0.12." + i)).toArray(DiscoveredDevice.Builder[]::new);
        assertThat(send(sync.credential(), batch(1, source, five)).get(0).getDevicesCreated()).isEqualTo(5);
        SyncDevicesResponse fromSecond = send(sync.credential(), batch(1, second, five)).get(0);
        assertThat(fromSecond.getDevicesCreated()).isEqualTo(5); // was 0 created, 5 "updated": the first source's rows
        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE integration_source_id = ?", source)).isEqualTo(5);
        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE integration_source_id = ?", second)).isEqualTo(5);
        // the same device seen twice is two rows joined by identity (same IPs)
        assertThat(rows("SELECT count(DISTINCT canonical_device_id) FROM discovered_devices WHERE tenant_id = ?", tenant)).isEqualTo(5);

        admin().delete().uri("/api/v1/integration-sources/{id}", second).exchange().expectStatus().isNoContent();

        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE integration_source_id = ?", source)).isEqualTo(5);
        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE tenant_id = ?", tenant)).isEqualTo(5);
        String agentToken = agentToken(tenant);
        Await.until(Duration.ofSeconds(10), () -> GrpcClients.blocking(channel(), agentToken)
                .getConfig(AgentConfigRequest.newBuilder().setAgentId("agent-default").build())
                .getSweep().getDeviceTargetsCount() == 5);
    }

    @Test
    void revokingTheCredentialEndsAnOpenStreamAtOnceAndStoresNothingMore() {
        Sinks.Many<SyncDevicesRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        requests.tryEmitNext(batch(1, source, device("before-revoke", "127.0.13.1")));
        List<Status.Code> ended = new CopyOnWriteArrayList<>();
        Disposable stream = GrpcClients.reactor(channel(), sync.credential()).syncDevices(requests.asFlux())
                .subscribe(ack -> admin().delete().uri("/api/v1/sync-services/{id}/credentials", sync.id())
                                .exchange().expectStatus().isNoContent(),
                        error -> ended.add(GrpcClients.code(error)));
        try {
            // the stream stays idle after its first batch: the revocation alone must end it
            Await.until(Duration.ofSeconds(5), () -> !ended.isEmpty());
            assertThat(ended).containsExactly(Status.Code.UNAUTHENTICATED);
            requests.tryEmitNext(batch(2, source, device("after-revoke", "127.0.13.2")));
            assertThat(rows("SELECT count(*) FROM discovered_devices WHERE tenant_id = ? AND device_id = 'after-revoke'", tenant)).isZero();
            assertThat(rows("SELECT count(*) FROM discovered_devices WHERE tenant_id = ? AND device_id = 'before-revoke'", tenant)).isEqualTo(1);
        } finally {
            stream.dispose();
        }
    }

    @Test
    void aSourceMovedToAnotherSyncServiceRefusesTheOldOnesNextBatch() {
        Onboarded other = onboardSyncService(tenant);
        Map<String, Object> body = Map.of("tenant_id", tenant.toString(), "name", "moving", "source_type", "faker",
                "sync_service_id", sync.id().toString());
        UUID moving = UUID.fromString((String) admin().post().uri("/api/v1/integration-sources").bodyValue(body)
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id"));
        Sinks.Many<SyncDevicesRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        requests.tryEmitNext(batch(1, moving, device("before-move", "127.0.14.1")));
        StepVerifier.create(GrpcClients.reactor(channel(), sync.credential()).syncDevices(requests.asFlux())
                        .doOnNext(ack -> {
                            var moved = new java.util.HashMap<>(body);
                            moved.put("sync_service_id", other.id().toString());
                            admin().put().uri("/api/v1/integration-sources/{id}", moving).bodyValue(moved).exchange().expectStatus().isOk();
                            requests.tryEmitNext(batch(2, moving, device("after-move", "127.0.14.2")));
                        }))
                .expectNextMatches(response -> response.getDevicesCreated() == 1)
                .expectErrorSatisfies(e -> assertThat(GrpcClients.code(e)).isEqualTo(Status.Code.PERMISSION_DENIED))
                .verify(Duration.ofSeconds(30));
        assertThat(rows("SELECT count(*) FROM discovered_devices WHERE tenant_id = ? AND device_id = 'after-move'", tenant)).isZero();
    }

    @Test
    void oneSyncServiceCannotTakeEveryStreamAndAnIdleStreamIsClosed() {
        // a replica on the same database with small bounds: 2 streams per sync service, 2 s idle
        try (var replica = io.fleetgate.test.Gateways.start(databaseName(), Map.of(
                "fleetgate.platform.admin-password", ADMIN_PASSWORD, "fleetgate.platform.sync.token", PLATFORM_TOKEN,
                "fleetgate.ingest.max-streams-per-sync-service", "2", "fleetgate.ingest.idle-timeout", "2s"))) {
            replica.getBean(io.fleetgate.platform.GatewayStartup.class).ready().block(Duration.ofSeconds(60));
            var replicaChannel = GrpcClients.channel(replica.getBean(io.fleetgate.grpc.GrpcServer.class).port());
            Onboarded other = onboardSyncService(createTenant("fair"));
            List<Status.Code> ended = new CopyOnWriteArrayList<>();
            List<Disposable> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    open.add(GrpcClients.reactor(replicaChannel, sync.credential()).syncDevices(Flux.never())
                            .subscribe(ack -> { }, error -> ended.add(GrpcClients.code(error))));
                }
                // the third stream of one sync service is refused; another sync service still gets one
                Await.until(Duration.ofSeconds(5), () -> ended.contains(Status.Code.RESOURCE_EXHAUSTED));
                open.add(GrpcClients.reactor(replicaChannel, other.credential()).syncDevices(Flux.never())
                        .subscribe(ack -> { }, error -> ended.add(GrpcClients.code(error))));
                // and every idle stream is closed after 2 s, UNAVAILABLE
                Await.until(Duration.ofSeconds(10), () -> ended.size() == 4);
                assertThat(ended).containsExactlyInAnyOrder(Status.Code.RESOURCE_EXHAUSTED, Status.Code.UNAVAILABLE,
                        Status.Code.UNAVAILABLE, Status.Code.UNAVAILABLE);
            } finally {
                open.forEach(Disposable::dispose);
                replicaChannel.shutdownNow();
            }
        }
    }

    private Status.Code code(String credential, SyncDevicesRequest request) {
        try {
            send(credential, request);
            return Status.Code.OK;
        } catch (RuntimeException e) {
            return GrpcClients.code(e);
        }
    }

    private static void awaitSize(List<?> list, int size) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (list.size() < size && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }
}
