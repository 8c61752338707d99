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
