package io.fleetgate.device;

import io.fleetgate.availability.AvailabilityIndex;
import io.fleetgate.availability.AvailabilityService;
import io.fleetgate.availability.DeviceAvailability;
import io.fleetgate.changes.Change;
import io.fleetgate.changes.ChangePublisher;
import io.fleetgate.database.TimeOrderedIds;
import io.fleetgate.error.DatabaseErrors;
import io.fleetgate.error.GatewayException;
import io.fleetgate.error.PlainText;
import io.fleetgate.net.IpAddress;
import io.fleetgate.security.GatewayUser;
import io.fleetgate.sweep.SweepProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * What operators see and do of devices: pages of canonical devices, one device with its records
 * and history, the tenant's summary, and unmerge. Tenant admins see their own tenant; another
 * tenant's devices are NOT_FOUND, as if they did not exist.
 */
@Service
public class DeviceService {

    private static final Logger log = LoggerFactory.getLogger(DeviceService.class);
    /** Agents the summary lists (the largest first). */
    static final int SUMMARY_AGENTS = 20;
    static final int MAX_REASON = 500;

    private final DeviceSearchRepository search;
    private final DeviceDetailRepository details;
    private final UnmergeRepository unmerges;
    private final SummaryCache summaries;
    private final ChangePublisher changes;
    private final TransactionalOperator transaction;
    private final SweepProperties sweep;
    private final AvailabilityService availability;
    private final AvailabilityIndex availabilityIndex;
    private final Clock clock;

    DeviceService(DeviceSearchRepository search, DeviceDetailRepository details, UnmergeRepository unmerges, SummaryCache summaries,
                  ChangePublisher changes, TransactionalOperator transaction, SweepProperties sweep, AvailabilityService availability,
                  AvailabilityIndex availabilityIndex, Clock clock) {
        this.availability = availability;
        this.availabilityIndex = availabilityIndex;
        this.search = search;
        this.details = details;
        this.unmerges = unmerges;
        this.summaries = summaries;
        this.changes = changes;
        this.transaction = transaction;
        this.sweep = sweep;
        this.clock = clock;
    }

    public Mono<DeviceViews.Page> page(GatewayUser actor, DeviceQuery asked) {
        return Mono.defer(() -> {
            DeviceQuery query = scoped(actor, asked);
            if (query.after() != null && query.tenant() != null && !query.after().tenant().equals(query.tenant())) {
                throw GatewayException.invalid("after", "a cursor of another tenant's list");
            }
            Mono<DeviceSearchRepository.AgentSources> sources = query.agent() == null ? Mono.just(DeviceSearchRepository.AgentSources.NONE)
                    : search.agentSources(query.tenant(), query.agent());
            return sources.flatMap(agentSources -> search.page(query, agentSources))
                    .flatMap(found -> Mono.zip(search.items(found.hits()).collectList(), availabilityOf(found.hits()))
                            .map(data -> page(query, found, data.getT1(), data.getT2())));
        });
    }

    /** A tenant admin's query is of their tenant; naming another one is NOT_FOUND. */
    private static DeviceQuery scoped(GatewayUser actor, DeviceQuery query) {
        if (actor.isPlatformAdmin()) {
            return query;
        }
        if (query.tenant() != null && !query.tenant().equals(actor.tenantId())) {
            throw GatewayException.notFound("no tenant " + query.tenant());
        }
        return new DeviceQuery(actor.tenantId(), query.range(), query.mac(), query.hostnamePrefix(), query.source(), query.agent(),
                query.availability(), query.after(), query.limit());
    }

    /**
     * The page's items and the cursor after its last one; a page that stopped at the scan budget
     * before it was full goes on after the last IP it looked at.
     */
    /** The availability of a page's devices (a platform admin's page may span tenants). */
    private Mono<Map<UUID, DeviceAvailability.Availability>> availabilityOf(List<DeviceSearchRepository.Hit> hits) {
        Map<UUID, List<UUID>> byTenant = new LinkedHashMap<>();
        hits.forEach(hit -> byTenant.computeIfAbsent(hit.tenant(), t -> new ArrayList<>()).add(hit.canonical()));
        return reactor.core.publisher.Flux.fromIterable(byTenant.entrySet())
                .concatMap(tenant -> availability.availability(tenant.getKey(), tenant.getValue()))
                .collect(java.util.HashMap::new, Map::putAll);
    }

    private static DeviceViews.Page page(DeviceQuery query, DeviceSearchRepository.Found found, List<DeviceSearchRepository.ItemRow> rows,
                                         Map<UUID, DeviceAvailability.Availability> states) {
        List<DeviceSearchRepository.Hit> hits = found.hits();
        Map<UUID, List<DeviceSearchRepository.ItemRow>> byDevice = new LinkedHashMap<>();
        rows.forEach(row -> byDevice.computeIfAbsent(row.canonical(), c -> new ArrayList<>()).add(row));
        List<DeviceViews.Item> items = new ArrayList<>(hits.size());
        for (DeviceSearchRepository.Hit hit : hits) {
            List<DeviceSearchRepository.ItemRow> records = byDevice.get(hit.canonical());
            if (records != null) { // unmerged or deleted between the two reads: left out of this page
                items.add(item(hit, records, states.getOrDefault(hit.canonical(), DeviceAvailability.Availability.UNKNOWN)));
            }
        }
        DeviceSearchRepository.Hit last = hits.size() == query.limit() ? hits.get(hits.size() - 1) : found.resumeAfter();
        String next = last == null ? null : DeviceCursor.encode(new DeviceCursor.Position(last.tenant(), last.canonical(),
                last.ip() == null ? null : IpAddress.parse(last.ip())));
        return new DeviceViews.Page(items, next);
    }

    private static DeviceViews.Item item(DeviceSearchRepository.Hit hit, List<DeviceSearchRepository.ItemRow> records,
                                         DeviceAvailability.Availability state) {
        Set<String> hostnames = new LinkedHashSet<>(); // the oldest record's first: it names the device
        Set<IpAddress> ips = new TreeSet<>();
        Set<String> macs = new TreeSet<>();
        Map<UUID, DeviceViews.SourceRef> sources = new LinkedHashMap<>();
        Set<String> agents = new TreeSet<>();
        Instant lastSeen = Instant.MIN;
        for (DeviceSearchRepository.ItemRow record : records) {
            if (record.hostname() != null) {
                hostnames.add(record.hostname());
            }
            record.ips().forEach(ip -> ips.add(IpAddress.parse(ip)));
            macs.addAll(record.macs());
            sources.putIfAbsent(record.sourceId(), new DeviceViews.SourceRef(record.sourceId(), record.sourceName(), record.sourceType()));
            if (record.sweptBy() != null) {
                agents.add(record.sweptBy());
            }
            lastSeen = record.lastSeen().isAfter(lastSeen) ? record.lastSeen() : lastSeen;
        }
        return new DeviceViews.Item(hit.tenant(), hit.canonical(), hit.ip(), List.copyOf(hostnames),
                ips.stream().map(IpAddress::toString).toList(), List.copyOf(macs), List.copyOf(sources.values()), List.copyOf(agents),
                records.size(), state.wireName(), lastSeen);
    }

    /** One device the actor may see; NOT_FOUND for an unknown device and another tenant's alike. */
    public Mono<DeviceViews.Detail> detail(GatewayUser actor, UUID tenant, UUID canonical) {
        if (!actor.mayManage(tenant)) {
            return Mono.error(notFound(tenant, canonical));
        }
        return details.records(tenant, canonical).collectList().flatMap(rows -> {
            if (rows.isEmpty()) {
                return Mono.error(notFound(tenant, canonical));
            }
            List<DeviceViews.SourceRecord> records = rows.stream().map(DeviceDetailRepository.RecordRow::record).toList();
            List<String> keys = records.stream().flatMap(r -> java.util.stream.Stream.concat(r.macs().stream(), r.ips().stream()))
                    .distinct().toList();
            return Mono.zip(
                    details.identifiers(tenant, records).collectList().flatMap(identifiers -> seen(tenant, canonical, identifiers)),
                    details.merges(tenant, canonical, records.stream().map(DeviceViews.SourceRecord::discoveredDeviceId).toList()).collectList(),
                    details.unmerges(tenant, canonical).collectList(),
                    details.keptApart(tenant, records).collectList(),
                    details.guardEvents(tenant, canonical, keys).collectList(),
                    availability.availability(tenant, List.of(canonical))
            ).map(history -> detail(tenant, canonical, rows, history.getT1(), history.getT2(), history.getT3(), history.getT4(),
                    history.getT5(), history.getT6().getOrDefault(canonical, DeviceAvailability.Availability.UNKNOWN)));
        });
    }

    /** What the agents saw of the IPs the device holds, gathered with the identifiers that say which those are. */
    private record Seen(List<DeviceViews.Identifier> identifiers, List<AvailabilityService.Observation> observations,
                        List<AvailabilityService.Transition> transitions) {
    }

    private Mono<Seen> seen(UUID tenant, UUID canonical, List<DeviceViews.Identifier> identifiers) {
        List<String> held = identifiers.stream().filter(i -> i.kind().equals("ip") && canonical.equals(i.heldBy()))
                .map(DeviceViews.Identifier::value).distinct().toList();
        return Mono.zip(availability.observations(tenant, held), availability.transitions(tenant, held))
                .map(seen -> new Seen(identifiers, seen.getT1(), seen.getT2()));
    }

    private DeviceViews.Detail detail(UUID tenant, UUID canonical, List<DeviceDetailRepository.RecordRow> rows, Seen seen,
                                      List<DeviceViews.Merge> merges,
                                      List<DeviceViews.Unmerge> unmerged, List<DeviceViews.KeptApart> apart,
                                      List<DeviceViews.GuardEvent> guarded, DeviceAvailability.Availability state) {
        List<DeviceViews.Identifier> identifiers = seen.identifiers();
        List<DeviceViews.SourceRecord> records = rows.stream().map(DeviceDetailRepository.RecordRow::record).toList();
        Set<String> hostnames = new LinkedHashSet<>();
        Set<IpAddress> ips = new TreeSet<>();
        Set<String> macs = new TreeSet<>();
        records.forEach(record -> {
            if (record.hostname() != null) {
                hostnames.add(record.hostname());
            }
            record.ips().forEach(ip -> ips.add(IpAddress.parse(ip)));
            macs.addAll(record.macs());
        });
        Instant lastSeen = records.stream().map(DeviceViews.SourceRecord::lastSeenAt).max(Comparator.naturalOrder()).orElseThrow();
        return new DeviceViews.Detail(tenant, canonical, List.copyOf(hostnames), ips.stream().map(IpAddress::toString).toList(),
                List.copyOf(macs), lastSeen, state.wireName(), records, identifiers, DeviceSweeps.of(canonical, rows, identifiers, sweep.ports()),
                seen.observations(), seen.transitions(), merges, unmerged, apart, guarded);
    }

    public Mono<DeviceViews.Summary> summary(GatewayUser actor, UUID tenant) {
        if (!actor.mayManage(tenant)) {
            return Mono.error(GatewayException.notFound("no tenant " + tenant));
        }
        return summaries.get(tenant, () -> search.summary(tenant, SUMMARY_AGENTS, clock.instant()));
    }

    /**
     * Splits one source record out of the canonical device into a canonical device of its own
     * ({@link UnmergePlan}), records who did it and why, pins the pair apart, and tells the agents
     * concerned; one transaction, retried when it loses a race with ingest.
     */
    public Mono<DeviceViews.Split> unmerge(GatewayUser actor, UUID tenant, UUID canonical, @Nullable UUID record, @Nullable String reason) {
        if (!actor.mayManage(tenant)) {
            return Mono.error(notFound(tenant, canonical));
        }
        if (record == null) {
            return Mono.error(GatewayException.invalid("discovered_device_id", "required"));
        }
        String why = reason == null ? null : PlainText.optional("reason", reason, MAX_REASON);
        if (why == null) {
            return Mono.error(GatewayException.invalid("reason", "required: say why the records are not one device"));
        }
        return Mono.defer(() -> unmerges.lockMembers(tenant, canonical).collectList()
                        .flatMap(members -> split(actor, tenant, canonical, record, why, members))
                        .as(transaction::transactional))
                .retryWhen(Retry.backoff(3, Duration.ofMillis(20))
                        .filter(error -> Set.of("40P01", "40001").contains(DatabaseErrors.sqlState(error)))
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .doOnNext(split -> {
                    summaries.drop(tenant);
                    log.atInfo().addKeyValue("tenant", tenant)
                            .log("Unmerge by {}: source record {} split out of device {} into {} (tenant {}): {}", actor.getUsername(),
                                    split.discoveredDeviceId(), split.fromCanonicalDeviceId(), split.canonicalDeviceId(), tenant, why);
                });
    }

    private Mono<DeviceViews.Split> split(GatewayUser actor, UUID tenant, UUID canonical, UUID record, String reason,
                                          List<UnmergeRepository.Member> members) {
        if (members.isEmpty()) {
            return Mono.error(notFound(tenant, canonical));
        }
        UnmergePlan plan;
        try {
            plan = UnmergePlan.of(members, record);
        } catch (UnmergePlan.Refused refused) {
            return Mono.error(GatewayException.conflict(refused.refusal == UnmergePlan.Refusal.ONLY_RECORD
                    ? "device " + canonical + " has one source record only: there is nothing to split"
                    : "source record " + record + " is not a record of device " + canonical));
        }
        UUID split = TimeOrderedIds.next();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Set<String> partitions = new TreeSet<>();
        members.forEach(member -> partitions.add(member.partition()));
        return Flux.fromIterable(partitions).concatMap(partition -> unmerges.lockPartition(tenant, partition)).then()
                .then(unmerges.move(tenant, record, split))
                .then(unmerges.moveIdentifiers(tenant, plan.split().partition(), canonical, split, plan.kinds(), plan.values()))
                .then(unmerges.record(tenant, plan.split(), canonical, split, reason, actor.getUsername(), now))
                .flatMap(id -> unmerges.keepApart(tenant, plan.split(), plan.remaining(), id)
                        // each device now holds other IPs: what agents see of it may differ
                        .then(availabilityIndex.recompute(tenant, List.of(canonical, split)))
                        .then(plan.agents().isEmpty() ? Mono.empty() : changes.publish(new Change.AgentsChanged(tenant, plan.agents())))
                        .thenReturn(new DeviceViews.Split(tenant, record, canonical, split, id)));
    }

    private static GatewayException notFound(UUID tenant, UUID canonical) {
        return GatewayException.notFound("no device " + canonical + " in tenant " + tenant);
    }
}
