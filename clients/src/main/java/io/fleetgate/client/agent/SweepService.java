package io.fleetgate.client.agent;

import io.fleetgate.net.Cidr;
import io.fleetgate.net.IpAddress;
import io.fleetgate.sweepjson.GoDurations;
import io.fleetgate.sweepjson.SweepPlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sweeps what the current plan says, every plan interval, and at once when a new plan arrives:
 * ICMP reachability and TCP connects to each target's ports, at most {@code concurrency} probes
 * at a time, each bounded by the plan's timeout. Addresses of the plan's networks that are not
 * targets are swept with the default ports, up to {@link #MAX_NETWORK_ADDRESSES}. Each sweep is
 * logged and written to the results file.
 */
public final class SweepService implements AutoCloseable {

    static final int MAX_NETWORK_ADDRESSES = 4096;
    private static final Logger log = LoggerFactory.getLogger(SweepService.class);
    /**
     * ICMP probes block a thread each for up to the plan's timeout: on threads of their own, so a
     * sweep of many silent addresses cannot take the shared boundedElastic scheduler from the rest
     * of the process (the gateway's in-process clients and the tests share it).
     */
    private static final Scheduler ICMP = Schedulers.newBoundedElastic(64, 1_000_000, "agent-icmp", 60, true);

    private final Path resultsFile;
    private final Clock clock;
    private final Sinks.Many<SweepPlan> plans = Sinks.many().replay().latest();
    private final Sinks.Many<SweepResult> results = Sinks.many().replay().latest();
    private volatile SweepPlan current;
    private final Disposable running;

    public SweepService(Path resultsFile, Clock clock) {
        this.resultsFile = resultsFile;
        this.clock = clock;
        this.running = plans.asFlux()
                .switchMap(plan -> Flux.interval(Duration.ZERO, plan.interval()).onBackpressureDrop().concatMap(tick -> sweep(plan), 0))
                .subscribe(result -> results.tryEmitNext(result), error -> log.error("Sweeping stopped", error));
    }

    /** Sweeps with this plan from now on (at once, then every interval), unless it is the plan already in use. */
    public synchronized void apply(SweepPlan plan) {
        if (current != null && current.equals(plan)) {
            return;
        }
        current = plan;
        log.info("Sweep config applied from {} (version {}): {} targets, {} networks, modes {}, every {}", plan.origin(),
                plan.version().isEmpty() ? "-" : plan.version(), plan.targets().size(), plan.networks().size(), plan.modes(),
                GoDurations.format(plan.interval()));
        plans.tryEmitNext(plan);
    }

    public SweepPlan current() {
        return current;
    }

    /** Each sweep's result as it finishes (the latest one first, for late subscribers). */
    public Flux<SweepResult> results() {
        return results.asFlux();
    }

    Mono<SweepResult> sweep(SweepPlan plan) {
        long start = System.nanoTime();
        java.time.Instant startedAt = clock.instant();
        Map<String, SweepPlan.Target> targets = addresses(plan);
        return Flux.fromIterable(targets.values())
                .flatMap(target -> probe(plan, target), Math.max(1, plan.concurrency() / 4) + 1)
                .collectList()
                .map(list -> {
                    list.sort((a, b) -> IpAddress.parse(a.ip()).compareTo(IpAddress.parse(b.ip())));
                    return new SweepResult(startedAt, clock.instant(), plan.version(), plan.origin(), Duration.ofNanos(System.nanoTime() - start),
                            list);
                })
                .flatMap(result -> write(result).thenReturn(result))
                .doOnNext(result -> log.info("Sweep of {} addresses in {} ms: {} answer ICMP, {} open ports",
                        result.targets().size(), result.took().toMillis(),
                        result.targets().stream().filter(t -> Boolean.TRUE.equals(t.icmp())).count(),
                        result.targets().stream().mapToInt(t -> t.openPorts().size()).sum()));
    }

    /** The plan's targets, then its networks' other addresses (bounded). */
    private static Map<String, SweepPlan.Target> addresses(SweepPlan plan) {
        Map<String, SweepPlan.Target> addresses = new LinkedHashMap<>();
        plan.targets().forEach(target -> addresses.put(target.ip(), target));
        int added = 0;
        for (Cidr network : plan.networks()) {
            long size = Math.min(network.size(), MAX_NETWORK_ADDRESSES);
            for (long i = 0; i < size && added < MAX_NETWORK_ADDRESSES; i++) {
                String ip = offset(network, i);
                if (!addresses.containsKey(ip)) {
                    addresses.put(ip, new SweepPlan.Target(ip, List.of(), List.of(), "network", Map.of()));
                    added++;
                }
            }
        }
        if (added >= MAX_NETWORK_ADDRESSES) {
            log.warn("Networks hold more than {} addresses besides the targets; sweeping the first {}", MAX_NETWORK_ADDRESSES,
                    MAX_NETWORK_ADDRESSES);
        }
        return addresses;
    }

    private static String offset(Cidr network, long i) {
        IpAddress base = network.base();
        return base.v6() ? new IpAddress(true, base.hi(), base.lo() + i).toString() : IpAddress.v4(base.lo() + i).toString();
    }

    private Mono<SweepResult.TargetResult> probe(SweepPlan plan, SweepPlan.Target target) {
        List<String> modes = plan.modesOf(target);
        List<Integer> ports = target.ports().isEmpty() ? plan.ports() : target.ports();
        boolean tcp = modes.contains("tcp") || modes.contains("tcp_connect");
        // the round trip of an echo that answered, in microseconds; -1 for none
        Mono<Long> icmp = modes.contains("icmp") ? icmp(target.ip(), plan.timeout()) : Mono.just(-1L);
        Mono<Map<Integer, PortState>> probed = tcp
                ? Flux.fromIterable(ports).flatMap(port -> connect(target.ip(), port, plan.timeout()).map(state -> Map.entry(port, state)),
                        Math.max(1, plan.concurrency())).collectMap(Map.Entry::getKey, Map.Entry::getValue)
                : Mono.just(Map.of());
        return Mono.zip(icmp, probed).map(both -> {
            TreeSet<Integer> opened = new TreeSet<>();
            TreeSet<Integer> closed = new TreeSet<>();
            TreeSet<Integer> filtered = new TreeSet<>();
            both.getT2().forEach((port, state) -> (state == PortState.OPEN ? opened : state == PortState.CLOSED ? closed : filtered).add(port));
            long rtt = both.getT1();
            return new SweepResult.TargetResult(target.ip(), modes.contains("icmp") ? rtt >= 0 : null,
                    rtt >= 0 ? (int) Math.min(Integer.MAX_VALUE, Math.max(1, rtt)) : null, List.copyOf(opened), List.copyOf(closed),
                    List.copyOf(filtered), clock.instant(), target.source());
        });
    }

    /**
     * ICMP echo (as root; otherwise the JDK falls back to TCP port 7), off the event loop: the
     * round trip in microseconds when it answered, -1 when not.
     */
    static Mono<Long> icmp(String ip, Duration timeout) {
        return Mono.fromCallable(() -> {
                    long start = System.nanoTime();
                    boolean reachable = InetAddress.getByName(ip).isReachable((int) Math.max(1, timeout.toMillis()));
                    return reachable ? (System.nanoTime() - start) / 1000 : -1L;
                })
                .subscribeOn(ICMP)
                .onErrorReturn(-1L);
    }

    /** What a TCP connect found: the port accepted, refused (the host is there), or nothing answered in time. */
    enum PortState { OPEN, CLOSED, FILTERED }

    /** A non-blocking TCP connect. */
    static Mono<PortState> connect(String ip, int port, Duration timeout) {
        return Mono.<PortState>create(sink -> {
                    AsynchronousSocketChannel channel;
                    try {
                        channel = AsynchronousSocketChannel.open();
                    } catch (IOException e) {
                        sink.error(e);
                        return;
                    }
                    sink.onDispose(() -> close(channel));
                    InetSocketAddress address;
                    try {
                        address = new InetSocketAddress(InetAddress.getByName(ip), port); // a literal: no lookup
                    } catch (IOException e) {
                        sink.error(e);
                        return;
                    }
                    channel.connect(address, null, new CompletionHandler<Void, Void>() {
                        @Override
                        public void completed(Void result, Void attachment) {
                            sink.success(PortState.OPEN);
                        }

                        @Override
                        public void failed(Throwable error, Void attachment) {
                            // refused: a RST came back; anything else (unreachable, no route) is as good as no answer
                            sink.success(error instanceof java.net.ConnectException && String.valueOf(error.getMessage()).contains("refused")
                                    ? PortState.CLOSED : PortState.FILTERED);
                        }
                    });
                })
                .timeout(timeout, Mono.just(PortState.FILTERED));
    }

    private static void close(AsynchronousSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do about a socket that will not close
        }
    }

    private Mono<Void> write(SweepResult result) {
        if (resultsFile == null) {
            return Mono.empty();
        }
        return Mono.<Void>fromRunnable(() -> {
            JsonMapper json = JsonMapper.shared();
            ObjectNode root = json.createObjectNode();
            root.put("swept_at", result.sweptAt().toString());
            root.put("config_version", result.configVersion());
            root.put("origin", result.origin());
            root.put("duration_ms", result.took().toMillis());
            var targets = root.putArray("targets");
            for (SweepResult.TargetResult target : result.targets()) {
                ObjectNode node = targets.addObject();
                node.put("ip", target.ip());
                if (target.icmp() != null) {
                    node.put("icmp", target.icmp());
                }
                var open = node.putArray("open_ports");
                target.openPorts().forEach(open::add);
                var closed = node.putArray("closed_ports");
                target.closedPorts().forEach(closed::add);
                var filtered = node.putArray("filtered_ports");
                target.filteredPorts().forEach(filtered::add);
                if (target.icmpRttUs() != null) {
                    node.put("icmp_rtt_us", target.icmpRttUs());
                }
                node.put("source", target.source());
            }
            try {
                Path parent = resultsFile.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Path temp = Files.createTempFile(parent, ".results-", ".json");
                Files.writeString(temp, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
                Files.move(temp, resultsFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + resultsFile, e);
            }
        }).subscribeOn(Schedulers.boundedElastic())
                .onErrorResume(error -> {
                    log.warn("Could not write sweep results: {}", error.getMessage());
                    return Mono.empty();
                });
    }

    @Override
    public void close() {
        running.dispose();
    }
}
