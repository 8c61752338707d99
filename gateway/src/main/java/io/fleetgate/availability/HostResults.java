package io.fleetgate.availability;

import io.fleetgate.error.PlainText;
import io.fleetgate.net.IpAddress;
import io.fleetgate.proto.DeviceRejection;
import io.fleetgate.proto.HostResult;
import io.fleetgate.proto.SweepResultsBatch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which host results of a batch are taken, and why the others are not. Pure.
 *
 * <ul>
 *   <li>{@code batch_too_large}: past the first {@code maxHosts} hosts of the batch;</li>
 *   <li>{@code invalid_ip_address}: not an IP;</li>
 *   <li>{@code not_a_target}: not a target of the agent's config;</li>
 *   <li>{@code invalid_port}: a port outside 1–65535, in two lists, or more than {@code maxPorts} in one;</li>
 *   <li>{@code invalid_rtt}: a negative round-trip time, or one over a minute;</li>
 *   <li>{@code invalid_timestamp}: observed (or the sweep started) further ahead than the allowed
 *       clock skew, or longer ago than {@code maxAge}.</li>
 * </ul>
 * An IP reported twice in a batch counts once, as its last report says. A result that says
 * nothing of when it was observed was observed when its sweep started, or failing that now.
 */
public final class HostResults {

    static final int MAX_RTT_US = 60_000_000;

    /** The bounds a batch is held to. */
    public record Limits(int maxHosts, int maxPorts, Duration maxSkew, Duration maxAge) {
    }

    /** A host result taken: its position in the batch, its normalised IP, when it was observed, whether the host answered. */
    public record Accepted(int index, String ip, HostResult result, Instant observedAt, boolean answered) {
    }

    public record Outcome(List<Accepted> accepted, List<DeviceRejection> rejections, Instant sweepStartedAt) {
    }

    private HostResults() {
    }

    public static Outcome check(SweepResultsBatch batch, Set<String> targets, Instant now, Limits limits) {
        Instant sweepStarted = batch.getSweepStartedAt() == 0 ? now : Instant.ofEpochMilli(batch.getSweepStartedAt());
        String sweepTimeProblem = timeProblem("sweep_started_at", sweepStarted, now, limits);
        Map<String, Accepted> byIp = new LinkedHashMap<>();
        List<DeviceRejection> rejections = new ArrayList<>();
        for (int i = 0; i < batch.getHostsCount(); i++) {
            HostResult host = batch.getHosts(i);
            String problem;
            String ip = null;
            Instant observed = host.getObservedAt() == 0 ? sweepStarted : Instant.ofEpochMilli(host.getObservedAt());
            if (i >= limits.maxHosts()) {
                problem = "batch_too_large: more than " + limits.maxHosts() + " hosts in one batch (FLEETGATE_RESULTS_MAX_HOSTS_PER_BATCH)";
            } else if ((ip = normalized(host.getIp())) == null) {
                problem = "invalid_ip_address: '" + PlainText.sanitized(host.getIp(), 64) + "'";
            } else if (!targets.contains(ip)) {
                problem = "not_a_target: " + ip + " is not a target of this agent's config";
            } else if ((problem = portProblem(host, limits.maxPorts())) != null) {
                problem = "invalid_port: " + problem;
            } else if (host.getIcmpRttUs() < 0 || host.getIcmpRttUs() > MAX_RTT_US) {
                problem = "invalid_rtt: " + host.getIcmpRttUs() + " µs (expected: 0 to " + MAX_RTT_US + ")";
            } else if (sweepTimeProblem != null) {
                problem = sweepTimeProblem;
            } else {
                problem = timeProblem("observed_at", observed, now, limits);
            }
            if (problem != null) {
                rejections.add(DeviceRejection.newBuilder().setIndex(i).setDeviceId(PlainText.sanitized(host.getIp(), 64))
                        .setReason(problem).build());
                continue;
            }
            boolean answered = host.getIcmpAvailable() || host.getOpenPortsCount() > 0 || host.getClosedPortsCount() > 0;
            byIp.remove(ip); // the last report of an IP wins, in its position
            byIp.put(ip, new Accepted(i, ip, host, observed, answered));
        }
        return new Outcome(List.copyOf(byIp.values()), rejections, sweepStarted);
    }

    private static String normalized(String ip) {
        try {
            return IpAddress.parse(ip).toString();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String portProblem(HostResult host, int maxPorts) {
        Set<Integer> seen = new HashSet<>();
        for (List<Integer> ports : List.of(host.getOpenPortsList(), host.getClosedPortsList(), host.getFilteredPortsList())) {
            if (ports.size() > maxPorts) {
                return ports.size() + " ports in one list (at most " + maxPorts + ")";
            }
            for (int port : ports) {
                if (port < 1 || port > 65535) {
                    return port + " (expected: 1-65535)";
                }
                if (!seen.add(port)) {
                    return port + " is in two lists";
                }
            }
        }
        return null;
    }

    private static String timeProblem(String field, Instant at, Instant now, Limits limits) {
        if (at.isAfter(now.plus(limits.maxSkew()))) {
            return "invalid_timestamp: " + field + " " + at + " is ahead of the gateway's clock by more than "
                    + limits.maxSkew().toSeconds() + " s (FLEETGATE_RESULTS_MAX_CLOCK_SKEW)";
        }
        if (at.isBefore(now.minus(limits.maxAge()))) {
            return "invalid_timestamp: " + field + " " + at + " is older than " + limits.maxAge().toHours()
                    + " h (FLEETGATE_RESULTS_MAX_AGE)";
        }
        return null;
    }
}
