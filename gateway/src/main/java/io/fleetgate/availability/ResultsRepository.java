package io.fleetgate.availability;

import static io.fleetgate.database.Timestamps.at;
import static io.fleetgate.database.Timestamps.micros;

import io.fleetgate.database.SqlArrays;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * Set-based SQL of one results batch: the agent's stored observations of the batch's IPs, their
 * new versions, the transitions, the agent's sweep, and what a completed sweep no longer saw. Every
 * statement handles the whole batch.
 */
@Repository
class ResultsRepository {

    private final DatabaseClient database;

    ResultsRepository(DatabaseClient database) {
        this.database = database;
    }

    /** An observation as stored: its damped state, and which sweep it came from. */
    record Stored(FlapDamping.Observed observed, Instant sweepStartedAt, Instant observedAt) {
    }

    /** The agent's observations of these IPs, row-locked (a second replica's stream of the same agent waits). */
    Mono<Map<String, Stored>> stored(UUID tenant, String agent, List<String> ips) {
        Map<String, Stored> stored = new HashMap<>();
        return database.sql("""
                        -- times as epoch microseconds: parsing three timestamptz texts per host was a sixth of the
                        -- gateway's work on results (JFR, docs/performance.md)
                        SELECT o.ip, o.state, o.failures, (extract(epoch FROM o.state_since) * 1000000)::bigint AS state_since,
                               (extract(epoch FROM o.sweep_started_at) * 1000000)::bigint AS sweep_started_at,
                               (extract(epoch FROM o.observed_at) * 1000000)::bigint AS observed_at
                          FROM unnest(:ips::text[]) AS k(ip)
                          -- one primary key lookup per IP, whatever the statistics say
                          JOIN LATERAL (SELECT * FROM host_observations x
                                         WHERE x.tenant_id = :tenant AND x.agent_uid = :agent AND x.ip = k.ip
                                           FOR UPDATE) o ON true""")
                .bind("tenant", tenant)
                .bind("agent", agent)
                .bind("ips", SqlArrays.literal(ips.toArray(String[]::new)))
                .map((row, meta) -> {
                    stored.put(row.get("ip", String.class), new Stored(
                            new FlapDamping.Observed(FlapDamping.State.of(row.get("state", String.class)), row.get("failures", Integer.class),
                                    micros(row.get("state_since", Long.class))),
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

    /** The observations, inserted or replacing the stored ones. */
    Mono<Void> write(UUID tenant, String agent, @Nullable String configVersion, Instant sweepStartedAt, List<Write> writes) {
        if (writes.isEmpty()) {
            return Mono.empty();
        }
        int n = writes.size();
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
        for (int i = 0; i < n; i++) {
            Write write = writes.get(i);
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
        }
        var spec = database.sql("""
                        INSERT INTO host_observations AS o (tenant_id, agent_uid, ip, icmp_available, icmp_rtt_us, open_ports, closed_ports,
                                                            filtered_ports, observed_at, sweep_started_at, config_version, state, failures,
                                                            state_since)
                        SELECT :tenant, :agent, w.ip, w.icmp::boolean, w.rtt::integer, string_to_array(w.open, ';')::integer[],
                               string_to_array(w.closed, ';')::integer[], string_to_array(w.filtered, ';')::integer[],
                               timestamptz 'epoch' + w.observed::bigint * interval '1 microsecond', :sweep, :version, w.state, w.failures::integer,
                               timestamptz 'epoch' + w.since::bigint * interval '1 microsecond'
                          FROM ROWS FROM (unnest(:ips::text[]), unnest(:icmp::text[]), unnest(:rtt::text[]), unnest(:open::text[]),
                                          unnest(:closed::text[]), unnest(:filtered::text[]), unnest(:observed::text[]),
                                          unnest(:states::text[]), unnest(:failures::text[]), unnest(:since::text[]))
                               AS w(ip, icmp, rtt, open, closed, filtered, observed, state, failures, since)
                        ON CONFLICT (tenant_id, agent_uid, ip) DO UPDATE SET
                            icmp_available = excluded.icmp_available, icmp_rtt_us = excluded.icmp_rtt_us, open_ports = excluded.open_ports,
                            closed_ports = excluded.closed_ports, filtered_ports = excluded.filtered_ports,
                            observed_at = excluded.observed_at, sweep_started_at = excluded.sweep_started_at,
                            config_version = excluded.config_version, state = excluded.state, failures = excluded.failures,
                            state_since = excluded.state_since""")
                .bind("tenant", tenant)
                .bind("agent", agent)
                .bind("sweep", at(sweepStartedAt))
                .bind("ips", SqlArrays.literal(ips))
                .bind("icmp", SqlArrays.literal(icmp))
                .bind("rtt", SqlArrays.literal(rtt))
                .bind("open", SqlArrays.literal(open))
                .bind("closed", SqlArrays.literal(closed))
                .bind("filtered", SqlArrays.literal(filtered))
                .bind("observed", SqlArrays.literal(observed))
                .bind("states", SqlArrays.literal(states))
                .bind("failures", SqlArrays.literal(failures))
                .bind("since", SqlArrays.literal(since));
        spec = configVersion == null ? spec.bindNull("version", String.class) : spec.bind("version", configVersion);
        return spec.fetch().rowsUpdated().then();
    }

    /** The transitions among the writes: history, only when a state changed. */
    Mono<Void> transitions(UUID tenant, String agent, List<Write> writes) {
        List<Write> changed = writes.stream().filter(write -> write.next().transition()).toList();
        if (changed.isEmpty()) {
            return Mono.empty();
        }
        return database.sql("""
                        INSERT INTO availability_transitions (tenant_id, agent_uid, ip, from_state, to_state, at)
                        SELECT :tenant, :agent, t.ip, t.from_state, t.to_state, timestamptz 'epoch' + t.at::bigint * interval '1 microsecond'
                          FROM unnest(:ips::text[], :froms::text[], :tos::text[], :ats::text[]) AS t(ip, from_state, to_state, at)""")
                .bind("tenant", tenant)
                .bind("agent", agent)
                .bind("ips", SqlArrays.literal(changed.stream().map(Write::ip).toArray(String[]::new)))
                .bind("froms", SqlArrays.literal(changed.stream().map(w -> w.next().before().wireName()).toArray(String[]::new)))
                .bind("tos", SqlArrays.literal(changed.stream().map(w -> w.next().state().wireName()).toArray(String[]::new)))
                .bind("ats", SqlArrays.literal(changed.stream().map(w -> Long.toString(micros(w.next().since()))).toArray(String[]::new)))
                .fetch().rowsUpdated().then();
    }

    /**
     * The agent's latest sweep: a batch of a newer sweep starts its counts, one of the same sweep
     * adds to them, an older one changes nothing; the last batch completes it. Returns the tenant's
     * slug (the metrics' label).
     */
    Mono<String> sweep(UUID tenant, String agent, @Nullable String configVersion, Instant started, int hosts, int answered,
                       boolean complete, Instant now) {
        var spec = database.sql("""
                        INSERT INTO agent_sweeps AS s (tenant_id, agent_uid, sweep_started_at, completed_at, config_version, hosts, answered, silent)
                        VALUES (:tenant, :agent, :started, CASE WHEN :complete THEN :now::timestamptz END, :version, :hosts, :answered, :silent)
                        ON CONFLICT (tenant_id, agent_uid) DO UPDATE SET
                            hosts = CASE WHEN s.sweep_started_at = excluded.sweep_started_at THEN s.hosts + excluded.hosts ELSE excluded.hosts END,
                            answered = CASE WHEN s.sweep_started_at = excluded.sweep_started_at THEN s.answered + excluded.answered
                                            ELSE excluded.answered END,
                            silent = CASE WHEN s.sweep_started_at = excluded.sweep_started_at THEN s.silent + excluded.silent
                                          ELSE excluded.silent END,
                            completed_at = coalesce(excluded.completed_at,
                                                    CASE WHEN s.sweep_started_at = excluded.sweep_started_at THEN s.completed_at END),
                            config_version = excluded.config_version, sweep_started_at = excluded.sweep_started_at
                          WHERE s.sweep_started_at <= excluded.sweep_started_at
                        RETURNING (SELECT slug FROM tenants WHERE id = :tenant) AS slug""")
                .bind("tenant", tenant)
                .bind("agent", agent)
                .bind("started", at(started))
                .bind("complete", complete)
                .bind("now", at(now))
                .bind("hosts", hosts)
                .bind("answered", answered)
                .bind("silent", hosts - answered);
        spec = configVersion == null ? spec.bindNull("version", String.class) : spec.bind("version", configVersion);
        return spec.map((row, meta) -> row.get("slug", String.class)).one().defaultIfEmpty("");
    }

    /**
     * What a completed sweep no longer saw: the agent's observations of earlier sweeps, gone (the
     * IPs left its config). Returns the IPs whose state was decided (their devices' availability
     * may change).
     */
    Mono<List<String>> forgetUnswept(UUID tenant, String agent, Instant started) {
        return database.sql("""
                        DELETE FROM host_observations WHERE tenant_id = :tenant AND agent_uid = :agent AND sweep_started_at < :started
                        RETURNING ip, state""")
                .bind("tenant", tenant)
                .bind("agent", agent)
                .bind("started", at(started))
                .map((row, meta) -> "unknown".equals(row.get("state", String.class)) ? "" : row.get("ip", String.class))
                .all()
                .filter(ip -> !ip.isEmpty())
                .collectList();
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
