package io.fleetgate.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.identity.IdentityResolver.Candidate;
import io.fleetgate.identity.IdentityResolver.Holder;
import io.fleetgate.identity.IdentityResolver.Known;
import io.fleetgate.identity.IdentityResolver.Resolution;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class IdentityResolverTest {

    private final Instant earlier = Instant.parse("2026-11-01T00:00:00Z");
    private final Instant now = Instant.parse("2026-11-25T00:00:00Z");
    private final Known nothing = new Known(Map.of(), Map.of(), Set.of());

    @Test
    void devicesSharingAUsableMacAreOneDevice() {
        Resolution r = IdentityResolver.resolve(List.of(
                new Candidate("netbox-1", List.of("00:1a:2b:3c:4d:5e"), List.of("127.0.0.1"), now, null, UUID.randomUUID()),
                new Candidate("armis-9", List.of("00:1a:2b:3c:4d:5e"), List.of("127.0.0.2"), now, null, UUID.randomUUID())), nothing);
        assertThat(r.canonicals().get("armis-9")).isEqualTo(r.canonicals().get("netbox-1"));
        assertThat(r.merges()).singleElement().satisfies(m -> {
            assertThat(m.deviceId()).isEqualTo("armis-9");
            assertThat(m.reason()).isEqualTo("mac");
            assertThat(m.key()).isEqualTo("00:1a:2b:3c:4d:5e");
        });
    }

    @Test
    void devicesWithoutMacsMergeByIp() {
        UUID known = UUID.randomUUID();
        Resolution r = IdentityResolver.resolve(List.of(new Candidate("armis-9", List.of(), List.of("127.0.0.5"), now, null, UUID.randomUUID())),
                new Known(Map.of(), Map.of("127.0.0.5", new Holder(known, earlier)), Set.of(known)));
        assertThat(r.canonicals().get("armis-9")).isEqualTo(known);
        assertThat(r.merges()).singleElement().satisfies(m -> assertThat(m.reason()).isEqualTo("ip"));
    }

    @Test
    void aDeviceWithAMacMergesByIpIntoOneWithout() {
        UUID known = UUID.randomUUID();
        Resolution r = IdentityResolver.resolve(List.of(new Candidate("armis-9", List.of("00:1a:2b:3c:4d:5e"), List.of("127.0.0.5"), now, null, UUID.randomUUID())),
                new Known(Map.of(), Map.of("127.0.0.5", new Holder(known, earlier)), Set.of()));
        assertThat(r.canonicals().get("armis-9")).isEqualTo(known);
        assertThat(r.writes()).anySatisfy(w -> {
            assertThat(w.kind()).isEqualTo("mac");
            assertThat(w.canonical()).isEqualTo(known);
        });
    }

    @Test
    void differentUsableMacsNeverMergeAndTheNewerDeviceTakesTheIp() {
        UUID older = UUID.randomUUID();
        Known known = new Known(Map.of("00:00:00:aa:aa:aa", older), Map.of("127.0.0.5", new Holder(older, earlier)), Set.of(older));
        Resolution r = IdentityResolver.resolve(List.of(new Candidate("armis-9", List.of("00:00:00:bb:bb:bb"), List.of("127.0.0.5"), now, null, UUID.randomUUID())),
                known);
        UUID newer = r.canonicals().get("armis-9");
        assertThat(newer).isNotEqualTo(older);
        assertThat(r.writes()).anySatisfy(w -> {
            assertThat(w.value()).isEqualTo("127.0.0.5");
            assertThat(w.canonical()).isEqualTo(newer);
        });
        assertThat(r.merges()).singleElement().satisfies(m -> {
            assertThat(m.reason()).isEqualTo("ip_moved");
            assertThat(m.previousCanonical()).isEqualTo(older);
        });
        assertThat(r.previousHolders()).containsExactly(older);
    }

    @Test
    void anOlderDeviceReportedAgainDoesNotTakeItsIpBack() {
        UUID older = UUID.randomUUID();
        UUID newer = UUID.randomUUID();
        Known known = new Known(Map.of(), Map.of("127.0.0.5", new Holder(newer, now)), Set.of(older, newer));
        Resolution r = IdentityResolver.resolve(List.of(new Candidate("netbox-1", List.of("00:00:00:aa:aa:aa"), List.of("127.0.0.5"),
                earlier, older, UUID.randomUUID())), known);
        assertThat(r.canonicals().get("netbox-1")).isEqualTo(older);
        assertThat(r.writes()).noneMatch(w -> w.kind().equals("ip"));
        assertThat(r.merges()).isEmpty();
    }

    /** Replaying any batch on the state it produced changes nothing: no identity, no write, no merge. */
    @RepeatedTest(200)
    void replayIsHarmless() {
        Random random = new Random(System.nanoTime());
        List<Candidate> batch = randomBatch(random);
        Resolution first = IdentityResolver.resolve(batch, nothing);

        Map<String, UUID> macs = new HashMap<>();
        Map<String, Holder> ips = new HashMap<>();
        Set<UUID> withMac = new HashSet<>();
        first.writes().forEach(w -> {
            if (w.kind().equals("mac")) {
                macs.put(w.value(), w.canonical());
                withMac.add(w.canonical());
            } else {
                ips.put(w.value(), new Holder(w.canonical(), w.claimedAt()));
            }
        });
        List<Candidate> replay = batch.stream()
                .map(c -> new Candidate(c.deviceId(), c.usableMacs(), c.ips(), c.firstSeen(), first.canonicals().get(c.deviceId()),
                        UUID.randomUUID()))
                .toList();
        Resolution second = IdentityResolver.resolve(replay, new Known(macs, ips, withMac));
        assertThat(second.canonicals()).isEqualTo(first.canonicals());
        assertThat(second.writes()).isEmpty();
        assertThat(second.merges()).isEmpty();
    }

    /** Whatever the batch, two devices with different usable MACs never end up as one canonical device through a MAC. */
    @RepeatedTest(200)
    void aCanonicalDeviceNeverHoldsTwoDevicesWithDisjointUsableMacsJoinedByMac() {
        Random random = new Random(System.nanoTime());
        List<Candidate> batch = randomBatch(random);
        Resolution r = IdentityResolver.resolve(batch, nothing);
        for (var merge : r.merges()) {
            if (merge.reason().equals("ip")) {
                Candidate joining = batch.stream().filter(c -> c.deviceId().equals(merge.deviceId())).findFirst().orElseThrow();
                List<Candidate> others = batch.stream().filter(c -> r.canonicals().get(c.deviceId()).equals(merge.canonical())
                        && !c.deviceId().equals(merge.deviceId()) && batch.indexOf(c) < batch.indexOf(joining)).toList();
                boolean otherHasMac = others.stream().anyMatch(c -> !c.usableMacs().isEmpty());
                assertThat(!joining.usableMacs().isEmpty() && otherHasMac).as("IP merge across usable MACs").isFalse();
            }
        }
        // every IP is held by exactly one canonical device
        Map<String, UUID> holder = new HashMap<>();
        r.writes().stream().filter(w -> w.kind().equals("ip")).forEach(w -> holder.put(w.value(), w.canonical()));
        batch.forEach(c -> c.ips().forEach(ip -> assertThat(holder).containsKey(ip)));
    }

    @Test
    void aDeviceKeptApartDoesNotJoinTheDeviceItWasSplitFromButMayJoinAnotherByItsOtherKey() {
        UUID splitFrom = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        Known known = new Known(Map.of("00:1a:2b:00:00:01", splitFrom, "00:1a:2b:00:00:02", other), Map.of(), Set.of(splitFrom, other))
                .withApart(new IdentityResolver.KeepApart(Map.of("fk-1", Set.of(splitFrom)), Map.of()));
        Resolution r = IdentityResolver.resolve(List.of(new Candidate("fk-1", List.of("00:1a:2b:00:00:01", "00:1a:2b:00:00:02"),
                List.of("127.0.0.9"), now, null, UUID.randomUUID())), known);
        assertThat(r.canonicals().get("fk-1")).isEqualTo(other);
        assertThat(r.merges()).singleElement().satisfies(m -> assertThat(m.key()).isEqualTo("00:1a:2b:00:00:02"));
    }

    @Test
    void aDeviceKeptApartFromTheHolderOfItsOnlyKeyIsANewDevice() {
        UUID splitFrom = UUID.randomUUID();
        Known known = new Known(Map.of(), Map.of("127.0.0.5", new Holder(splitFrom, earlier)), Set.of())
                .withApart(new IdentityResolver.KeepApart(Map.of("fk-1", Set.of(splitFrom)), Map.of()));
        UUID provisional = UUID.randomUUID();
        Resolution r = IdentityResolver.resolve(List.of(new Candidate("fk-1", List.of(), List.of("127.0.0.5"), now, null, provisional)), known);
        assertThat(r.canonicals().get("fk-1")).isEqualTo(provisional);
        // not a merge; being newer it still takes the IP, as any newer device would
        assertThat(r.merges()).singleElement().satisfies(m -> assertThat(m.reason()).isEqualTo("ip_moved"));
    }

    @Test
    void twoDevicesOfOneBatchKeptApartStayApart() {
        Known known = nothing.withApart(new IdentityResolver.KeepApart(Map.of(), Map.of("a", Set.of("b"), "b", Set.of("a"))));
        Resolution r = IdentityResolver.resolve(List.of(
                new Candidate("a", List.of("00:1a:2b:00:00:01"), List.of("127.0.0.1"), now, null, UUID.randomUUID()),
                new Candidate("b", List.of("00:1a:2b:00:00:01"), List.of("127.0.0.1"), now, null, UUID.randomUUID()),
                new Candidate("c", List.of("00:1a:2b:00:00:01"), List.of("127.0.0.3"), now, null, UUID.randomUUID())), known);
        assertThat(r.canonicals().get("b")).isNotEqualTo(r.canonicals().get("a"));
        // a third device kept apart from neither joins the first holder
        assertThat(r.canonicals().get("c")).isEqualTo(r.canonicals().get("a"));
    }

    @Test
    void theMergeGuardStoresDevicesUnmergedWhenOneKeyWouldJoinMoreThanItsBound() {
        List<Candidate> batch = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            batch.add(new Candidate("dev-" + i, List.of("00:1a:2b:00:00:aa", String.format("00:1a:2b:00:01:%02x", i)),
                    List.of("127.0.1." + i), now, null, UUID.randomUUID()));
        }
        Resolution r = IdentityResolver.resolve(batch, nothing, 50);
        assertThat(new HashSet<>(r.canonicals().values())).hasSize(60);
        assertThat(r.merges()).isEmpty();
        assertThat(r.writes()).noneMatch(w -> w.value().equals("00:1a:2b:00:00:aa"));
        // each device still claims its own MAC and IP
        assertThat(r.writes()).hasSize(120);
        assertThat(r.guarded()).singleElement().satisfies(g -> {
            assertThat(g.kind()).isEqualTo("mac");
            assertThat(g.key()).isEqualTo("00:1a:2b:00:00:aa");
            assertThat(g.devices()).isEqualTo(60);
            assertThat(g.canonical()).isEqualTo(r.canonicals().get("dev-0"));
        });
    }

    @Test
    void theMergeGuardLetsAsManyDevicesAsItsBoundBecomeOne() {
        List<Candidate> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(new Candidate("dev-" + i, List.of(), List.of("127.0.0.1", "127.0.1." + i), now, null, UUID.randomUUID()));
        }
        Resolution r = IdentityResolver.resolve(batch, nothing, 50);
        assertThat(new HashSet<>(r.canonicals().values())).hasSize(1);
        assertThat(r.guarded()).isEmpty();
    }

    @Test
    void theMergeGuardCountsTheStoredDeviceTheBatchWouldJoin() {
        UUID known = UUID.randomUUID();
        List<Candidate> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(new Candidate("dev-" + i, List.of(), List.of("127.0.0.1", "127.0.1." + i), now, null, UUID.randomUUID()));
        }
        Resolution r = IdentityResolver.resolve(batch, new Known(Map.of(), Map.of("127.0.0.1", new Holder(known, now)), Set.of()), 50);
        assertThat(r.canonicals().values()).doesNotContain(known).doesNotHaveDuplicates();
        assertThat(r.guarded()).singleElement().satisfies(g -> {
            assertThat(g.kind()).isEqualTo("ip");
            assertThat(g.canonical()).isEqualTo(known);
            assertThat(g.devices()).isEqualTo(51);
        });
        // nobody of the batch takes the guarded IP over
        assertThat(r.writes()).noneMatch(w -> w.value().equals("127.0.0.1"));
    }

    /** With any bound, no canonical device takes in more devices through one batch's merges than the bound allows. */
    @RepeatedTest(200)
    void theMergeGuardHoldsForAnyBatch() {
        Random random = new Random(System.nanoTime());
        List<Candidate> batch = randomBatch(random);
        int bound = 2 + random.nextInt(4);
        Resolution r = IdentityResolver.resolve(batch, nothing, bound);
        Map<UUID, Integer> joined = new HashMap<>();
        r.merges().stream().filter(m -> !m.reason().equals("ip_moved")).forEach(m -> joined.merge(m.canonical(), 1, Integer::sum));
        joined.values().forEach(n -> assertThat(n + 1).isLessThanOrEqualTo(bound));
        r.guarded().forEach(g -> assertThat(g.devices()).isGreaterThan(bound));
    }

    /** Whatever the batch, devices pinned apart from each other never end up as one canonical device. */
    @RepeatedTest(200)
    void devicesKeptApartNeverShareACanonicalDevice() {
        Random random = new Random(System.nanoTime());
        List<Candidate> batch = randomBatch(random);
        Map<String, Set<String>> pins = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            for (int j = i + 1; j < batch.size(); j++) {
                if (random.nextInt(4) == 0) {
                    pins.computeIfAbsent(batch.get(i).deviceId(), d -> new HashSet<>()).add(batch.get(j).deviceId());
                    pins.computeIfAbsent(batch.get(j).deviceId(), d -> new HashSet<>()).add(batch.get(i).deviceId());
                }
            }
        }
        Resolution r = IdentityResolver.resolve(batch, nothing.withApart(new IdentityResolver.KeepApart(Map.of(), pins)));
        pins.forEach((device, others) -> others.forEach(other ->
                assertThat(r.canonicals().get(device)).as(device + " and " + other).isNotEqualTo(r.canonicals().get(other))));
    }

    private List<Candidate> randomBatch(Random random) {
        List<Candidate> batch = new ArrayList<>();
        int devices = 1 + random.nextInt(30);
        for (int i = 0; i < devices; i++) {
            List<String> macs = new ArrayList<>();
            if (random.nextBoolean()) {
                macs.add(String.format("00:00:00:00:00:%02x", random.nextInt(8)));
            }
            List<String> ips = new ArrayList<>();
            int count = 1 + random.nextInt(2);
            for (int j = 0; j < count; j++) {
                String ip = "127.0.0." + (1 + random.nextInt(12));
                if (!ips.contains(ip)) {
                    ips.add(ip);
                }
            }
            batch.add(new Candidate("dev-" + i, macs, ips, now, null, UUID.randomUUID()));
        }
        return batch;
    }
}
