package io.fleetgate.client.agent;

import io.fleetgate.client.Backoff;
import io.fleetgate.client.ClientVersion;
import io.fleetgate.client.DurationOption;
import io.fleetgate.client.GatewayAddress;
import io.fleetgate.client.GatewayOptions;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fleetgate.jar agent}: the reference agent. */
@Command(name = "agent", mixinStandardHelpOptions = true, versionProvider = ClientVersion.class, sortOptions = false,
        description = "Watches the gateway's WatchConfig (or polls GetConfig where the gateway has no watch) and sweeps the "
                + "targets it is given (ICMP, TCP connect).")
public final class AgentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions connection;

    @Option(names = "--agent-id", required = true, description = "this agent's id (devices name it in agent_uid)")
    String agentId;

    @Option(names = "--sweep-file", paramLabel = "FILE", description = "sweep.json to use when GetConfig carries no sweep config "
            + "or the gateway cannot be reached at start")
    Path sweepFile;

    @Option(names = "--results-file", paramLabel = "FILE", description = "where the latest sweep results are written (JSON)")
    Path resultsFile;

    @Option(names = "--poll-interval", paramLabel = "DURATION", converter = DurationOption.class,
            description = "poll GetConfig this often instead of what the gateway says (e.g. 10s)")
    Duration pollInterval;

    @Option(names = "--no-watch", description = "poll GetConfig even when the gateway offers WatchConfig")
    boolean noWatch;

    @Option(names = "--max-targets", paramLabel = "N", defaultValue = "50000",
            description = "refuse (and report) a config with more targets than this, keeping the last one (default ${DEFAULT-VALUE})")
    int maxTargets;

    @Option(names = "--kv-url", paramLabel = "NATS_URL", description = "legacy: read the sweep config from this NATS JetStream "
            + "KV store (for gateways with FLEETGATE_SWEEP_SOURCE=kv) instead of a sweep.json")
    String kvUrl;

    @Option(names = "--kv-bucket", defaultValue = "datasvc", description = "legacy: the KV bucket (default ${DEFAULT-VALUE})")
    String kvBucket;

    @Option(names = "--kv-key-template", defaultValue = "agents/{agent_uid}/checkers/sweep/sweep.json",
            description = "legacy: the key of this agent's sweep.json (default ${DEFAULT-VALUE})")
    String kvKeyTemplate;

    @Override
    public Integer call() throws InterruptedException {
        GatewayAddress address = connection.address();
        CountDownLatch stopped = new CountDownLatch(1);
        NatsKvSweepSource kv = kvUrl == null ? null : new NatsKvSweepSource(kvUrl, kvBucket, kvKeyTemplate);
        AgentRunner agent = new AgentRunner(new AgentRunner.Options(address, agentId, sweepFile, resultsFile, pollInterval, kv, maxTargets,
                !noWatch), Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            if (kv != null) {
                try {
                    kv.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            stopped.countDown();
        }, "agent-shutdown"));
        // a refused token ends the process non-zero with one line, so a supervisor sees it
        AtomicReference<Throwable> fatal = new AtomicReference<>();
        agent.stopped().subscribe(error -> {
            fatal.set(error);
            stopped.countDown();
        });
        agent.start();
        stopped.await();
        Throwable error = fatal.get();
        if (error == null) {
            return 0;
        }
        agent.close();
        spec.commandLine().getErr().println("agent: stopped: " + (Backoff.refusedCredential(error)
                ? "the gateway refused the token (" + Status.fromThrowable(error).getCode() + ": " + Status.fromThrowable(error).getDescription() + ")"
                : error));
        return 1;
    }
}
