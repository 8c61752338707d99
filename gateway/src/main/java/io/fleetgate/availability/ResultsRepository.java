package io.fleetgate.availability;

import static io.fleetgate.database.Timestamps.at;
import static io.fleetgate.database.Timestamps.micros;

import io.fleetgate.database.SqlArrays;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * Set-based SQL of a group of results batches, several agents' at once (group commit): the
 * agents' stored observations of the batches' IPs, their new versions, the transitions, the
 * agents' sweeps, and what their completed sweeps no longer saw. Every statement handles the whole
 * group: each row names its tenant and agent.
 */
@Repository
class ResultsRepository {

    private final DatabaseClient database;

    ResultsRepository(DatabaseClient database) {
        this.database = database;
    }

    /** One agent's host in one tenant. */
    record Host(UUID tenant, String agent, String ip) {
    }

    /** An observation as stored: its damped state, and which sweep it came from. */
    record Stored(FlapDamping.Observed observed, Instant sweepStartedAt, Instant observedAt) {
    }

    /** The agents' observations of these hosts, row-locked (a second replica's stream of the same agent waits). */
    Mono<Map<Host, Stored>> stored(List<Host> hosts) {
        Map<Host, Stored> stored = new HashMap<>();
        if (hosts.isEmpty()) {
            return Mono.just(stored);
        }
        return database.sql("""
                        -- times as epoch microseconds: parsing three timestamptz texts per host was a sixth of the
                        -- gateway's work on results (JFR, docs/performance.md)
                        SELECT o.tenant_id, o.agent_uid, o.ip, o.state, o.failures,
                               (extract(epoch FROM o.state_since) * 1000000)::bigint AS state_since,
                               (extract(epoch FROM o.sweep_started_at) * 1000000)::bigint AS sweep_started_at,
                               (extract(epoch FROM o.observed_at) * 1000000)::bigint AS observed_at
                          FROM unnest(:tenants::uuid[], :agents::text[], :ips::text[]) AS k(tenant, agent, ip)
                          -- one primary key lookup per host, whatever the statistics say
                          JOIN LATERAL (SELECT * FROM host_observations x
                                         WHERE x.tenant_id = k.tenant AND x.agent_uid = k.agent AND x.ip = k.ip
                                           FOR UPDATE) o ON true""")
                .bind("tenants", SqlArrays.literal(hosts.stream().map(host -> host.tenant().toString()).toArray(String[]::new)))
                .bind("agents", SqlArrays.literal(hosts.stream().map(Host::agent).toArray(String[]::new)))
                .bind("ips", SqlArrays.literal(hosts.stream().map(Host::ip).toArray(String[]::new)))
                .map((row, meta) -> {
                    stored.put(new Host(row.get("tenant_id", UUID.class), row.get("agent_uid", String.class), row.get("ip", String.class)),
                            new Stored(new FlapDamping.Observed(FlapDamping.State.of(row.get("state", String.class)),
                                    row.get("failures", Integer.class), micros(row.get("state_since", Long.class))),
                                    micros(row.get("sweep_started_at", Long.class)), micros(row.get("observed_at", Long.class))));
                    return 1;
                })
                .all()
                .then(Mono.fromSupplier(() -> stored));
    }

    /** A host's new observation and state. */
    record Write(String ip, boolean icmp, @Nullable Integer rttUs, List<Integer> open, List<Integer> closed, List<Integer> filtered,
                 Instant observedAt, boolean answered, FlapDamping.Next next) {
    }

    /** One agent's batch as it is written: its sweep, and the hosts whose observation is newer than the stored one. */
    record Sweep(UUID tenant, String agent, @Nullable String configVersion, Instant startedAt, boolean complete, List<Write> writes) {

        int answered() {
            return (int) writes.stream().filter(Write::answered).count();
        }
    }

    /** The sweeps' observations, inserted or replacing the stored ones. */
    Mono<Void> write(List<Sweep> sweeps) {
        int n = sweeps.stream().mapToInt(sweep -> sweep.writes().size()).sum();
        if (n == 0) {
            return Mono.empty();
        }
        String[] tenants = new String[n];
        String[] agents = new String[n];
        String[] started = new String[n];
        String[] versions = new String[n];
        String[] ips = new String[n];
        String[] icmp = new String[n];
        String[] rtt = new String[n];
        String[] open = new String[n];
        String[] closed = new String[n];
        String[] filtered = new String[n];
        String[] observed = new String[n];
        String[] states = new String[n];
        String[] failures = new String[n];
        String[] since = new String[n];
        int i = 0;
        for (Sweep sweep : sweeps) {
            String tenant = sweep.tenant().toString();
            String sweepStarted = Long.toString(micros(sweep.startedAt()));
            for (Write write : sweep.writes()) {
                tenants[i] = tenant;
                agents[i] = sweep.agent();
                started[i] = sweepStarted;
                versions[i] = sweep.configVersion();
                ips[i] = write.ip();
                icmp[i] = write.icmp() ? "t" : "f";
                rtt[i] = write.rttUs() == null ? null : write.rttUs().toString();
                open[i] = joined(write.open());
                closed[i] = joined(write.closed());
                filtered[i] = joined(write.filtered());
                observed[i] = Long.toString(micros(write.observedAt()));
                states[i] = write.next().state().wireName();
                failures[i] = Integer.toString(write.next().failures());
                since[i] = Long.toString(micros(write.next().since()));
                i++;
            }
        }
        return database.sql("""
                        INSERT INTO host_observations AS o (tenant_id, agent_uid, ip, icmp_available, icmp_rtt_us, open_ports, closed_ports,
                                                            filtered_ports, observed_at, sweep_started_at, config_version, state, failures,
                                                            state_since)
                        SELECT w.tenant::uuid, w.agent, w.ip, w.icmp::boolean, w.rtt::integer, string_to_array(w.open, ';')::integer[],
                               string_to_array(w.closed, ';')::integer[], string_to_array(w.filtered, ';')::integer[],
                               timestamptz 'epoch' + w.observed::bigint * interval '1 microsecond',
                               timestamptz 'epoch' + w.started::bigint * interval '1 microsecond', w.version, w.state, w.failures::integer,
                               timestamptz 'epoch' + w.since::bigint * interval '1 microsecond'
                          FROM ROWS FROM (unnest(:tenants::text[]), unnest(:agents::text[]), unnest(:started::text[]), unnest(:versions::text[]),
                                          unnest(:ips::text[]), unnest(:icmp::text[]), unnest(:rtt::text[]), unnest(:open::text[]),
                                          unnest(:closed::text[]), unnest(:filtered::text[]), unnest(:observed::text[]),
                                          unnest(:states::text[]), unnest(:failures::text[]), unnest(:since::text[]))
                               AS w(tenant, agent, started, version, ip, icmp, rtt, open, closed, filtered, observed, state, failures, since)
                        ON CONFLICT (tenant_id, agent_uid, ip) DO UPDATE SET
                            icmp_available = excluded.icmp_available, icmp_rtt_us = excluded.icmp_rtt_us, open_ports = excluded.open_ports,
                            closed_ports = excluded.closed_ports, filtered_ports = excluded.filtered_ports,
                            observed_at = excluded.observed_at, sweep_started_at = excluded.sweep_started_at,
                            config_version = excluded.config_version, state = excluded.state, failures = excluded.failures,
                            state_since = excluded.state_since""")
                .bind("tenants", SqlArrays.literal(tenants))
                .bind("agents", SqlArrays.literal(agents))
                .bind("started", SqlArrays.literal(started))
                .bind("versions", SqlArrays.literal(versions))
                .bind("ips", SqlArrays.literal(ips))
                .bind("icmp", SqlArrays.literal(icmp))
                .bind("rtt", SqlArrays.literal(rtt))
                .bind("open", SqlArrays.literal(open))
                .bind("closed", SqlArrays.literal(closed))
                .bind("filtered", SqlArrays.literal(filtered))
                .bind("observed", SqlArrays.literal(observed))
                .bind("states", SqlArrays.literal(states))
                .bind("failures", SqlArrays.literal(failures))
                .bind("since", SqlArrays.literal(since))
                .fetch().rowsUpdated().then();
    }

    /** The transitions among the sweeps' writes: history, only when a state changed. */
    Mono<Void> transitions(List<Sweep> sweeps) {
        List<String> tenants = new ArrayList<>();
        List<String> agents = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        List<String> froms = new ArrayList<>();
        List<String> tos = new ArrayList<>();
        List<String> ats = new ArrayList<>();
        for (Sweep sweep : sweeps) {
            for (Write write : sweep.writes()) {
                if (write.next().transition()) {
                    tenants.add(sweep.tenant().toString());
                    agents.add(sweep.agent());
                    ips.add(write.ip());
                    froms.add(write.next().before().wireName());
                    tos.add(write.next().state().wireName());
                    ats.add(Long.toString(micros(write.next().since())));
                }
            }
        }
        if (ips.isEmpty()) {
            return Mono.empty();
        }
        return database.sql("""
                        INSERT INTO availability_transitions (tenant_id, agent_uid, ip, from_state, to_state, at)
                        SELECT t.tenant::uuid, t.agent, t.ip, t.from_state, t.to_state, timestamptz 'epoch' + t.at::bigint * interval '1 microsecond'
                          FROM unnest(:tenants::text[], :agents::text[], :ips::text[], :froms::text[], :tos::text[], :ats::text[])
                               AS t(tenant, agent, ip, from_state, to_state, at)""")
                .bind("tenants", SqlArrays.literal(SqlArrays.text(tenants)))
                .bind("agents", SqlArrays.literal(SqlArrays.text(agents)))
                .bind("ips", SqlArrays.literal(SqlArrays.text(ips)))
                .bind("froms", SqlArrays.literal(SqlArrays.text(froms)))
                .bind("tos", SqlArrays.literal(SqlArrays.text(tos)))
                .bind("ats", SqlArrays.literal(SqlArrays.text(ats)))
                .fetch().rowsUpdated().then();
    }

    /**
     * Each agent's latest sweep: a batch of a newer sweep starts its counts, one of the same sweep
     * adds to them, an older one changes nothing; the last batch completes it. A group holds at most
     * one batch per agent (an upsert may not touch a row twice).
     */
    Mono<Void> sweeps(List<Sweep> sweeps, Instant now) {
        return database.sql("""
                        INSERT INTO agent_sweeps AS s (tenant_id, agent_uid, sweep_started_at, completed_at, config_version, hosts, answered, silent)
                        SELECT b.tenant::uuid, b.agent, timestamptz 'epoch' + b.started::bigint * interval '1 microsecond',
                               CASE WHEN b.complete::boolean THEN :now::timestamptz END, b.version, b.hosts::integer, b.answered::integer,
                               b.hosts::integer - b.answered::integer
                          FROM unnest(:tenants::text[], :agents::text[], :started::text[], :complete::text[], :versions::text[], :hosts::text[],
                                      :answered::text[]) AS b(tenant, agent, started, complete, version, hosts, answered)
                        ON CONFLICT (tenant_id, agent_uid) DO UPDATE SET
                            hosts = CASE WHEN s.sweep_started_at = excluded.sweep_started_at THEN s.hosts + excluded.hosts ELSE excluded.hosts END,
                            answered = CASE WHEN s.sweep_started_at = excluded.sweep_started_at THEN s.answered + excluded.answered
                                            ELSE excluded.answered END,
                            silent = CASE WHEN s.sweep_started_at = excluded.sweep_started_at THEN s.silent + excluded.silent
                                          ELSE excluded.silent END,
                            completed_at = coalesce(excluded.completed_at,
                                                    CASE WHEN s.sweep_started_at = excluded.sweep_started_at THEN s.completed_at END),
                            config_version = excluded.config_version, sweep_started_at = excluded.sweep_started_at
                          WHERE s.sweep_started_at <= excluded.sweep_started_at""")
                .bind("now", at(now))
                .bind("tenants", SqlArrays.literal(sweeps.stream().map(sweep -> sweep.tenant().toString()).toArray(String[]::new)))
                .bind("agents", SqlArrays.literal(sweeps.stream().map(Sweep::agent).toArray(String[]::new)))
                .bind("started", SqlArrays.literal(sweeps.stream().map(sweep -> Long.toString(micros(sweep.startedAt()))).toArray(String[]::new)))
                .bind("complete", SqlArrays.literal(sweeps.stream().map(sweep -> sweep.complete() ? "t" : "f").toArray(String[]::new)))
                .bind("versions", SqlArrays.literal(sweeps.stream().map(Sweep::configVersion).toArray(String[]::new)))
                .bind("hosts", SqlArrays.literal(sweeps.stream().map(sweep -> Integer.toString(sweep.writes().size())).toArray(String[]::new)))
                .bind("answered", SqlArrays.literal(sweeps.stream().map(sweep -> Integer.toString(sweep.answered())).toArray(String[]::new)))
                .fetch().rowsUpdated().then();
    }

    /**
     * What the completed sweeps no longer saw: each agent's observations of its earlier sweeps,
     * gone (the IPs left its config). Returns the hosts whose state was decided (their devices'
     * availability may change).
     */
    Mono<List<Host>> forgetUnswept(List<Sweep> completed) {
        if (completed.isEmpty()) {
            return Mono.just(List.of());
        }
        return database.sql("""
                        WITH gone AS (
                            DELETE FROM host_observations o
                             USING unnest(:tenants::uuid[], :agents::text[], :started::text[]) AS c(tenant, agent, started)
                             WHERE o.tenant_id = c.tenant AND o.agent_uid = c.agent
                               AND o.sweep_started_at < timestamptz 'epoch' + c.started::bigint * interval '1 microsecond'
                            RETURNING o.tenant_id, o.agent_uid, o.ip, o.state)
                        SELECT tenant_id, agent_uid, ip FROM gone WHERE state <> 'unknown'""")
                .bind("tenants", SqlArrays.literal(completed.stream().map(sweep -> sweep.tenant().toString()).toArray(String[]::new)))
                .bind("agents", SqlArrays.literal(completed.stream().map(Sweep::agent).toArray(String[]::new)))
                .bind("started", SqlArrays.literal(completed.stream().map(sweep -> Long.toString(micros(sweep.startedAt()))).toArray(String[]::new)))
                .map((row, meta) -> new Host(row.get("tenant_id", UUID.class), row.get("agent_uid", String.class), row.get("ip", String.class)))
                .all()
                .collectList();
    }

    /** The tenants' slugs (the metrics' label). */
    Mono<Map<UUID, String>> slugs(Collection<UUID> tenants) {
        return database.sql("SELECT id, slug FROM tenants WHERE id = ANY(:tenants)")
                .bind("tenants", tenants.toArray(UUID[]::new))
                .map((row, meta) -> Map.entry(row.get("id", UUID.class), row.get("slug", String.class)))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** Ports as one text, joined by ';' (the statement splits it back into an array). */
    private static String joined(List<Integer> values) {
        StringBuilder text = new StringBuilder(values.size() * 6);
        for (int i = 0; i < values.size(); i++) {
            text.append(i == 0 ? "" : ";").append(values.get(i));
        }
        return text.toString();
    }
}
