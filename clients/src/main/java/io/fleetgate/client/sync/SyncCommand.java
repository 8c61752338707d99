package io.fleetgate.client.sync;

import io.fleetgate.client.ClientVersion;
import io.fleetgate.client.DurationOption;
import io.fleetgate.client.GatewayAddress;
import io.fleetgate.client.GatewayOptions;
import io.fleetgate.net.OutboundPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code fleetgate.jar sync}: the reference sync service. */
@Command(name = "sync", mixinStandardHelpOptions = true, versionProvider = ClientVersion.class, sortOptions = false,
        description = "Registers as a sync service, runs the discoveries of its integration sources (faker, NetBox, Armis) "
                + "and streams the devices to the gateway.")
public final class SyncCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions connection;

    @Option(names = "--saas-allowed-networks", defaultValue = "${env:FLEETGATE_SAAS_ALLOWED_NETWORKS}", paramLabel = "CIDRS",
            description = "with a platform (fgp_) credential, sources are reached on public addresses only; these comma-separated "
                    + "blocks are allowed too (or FLEETGATE_SAAS_ALLOWED_NETWORKS)")
    String saasAllowedNetworks;

    @Option(names = "--name", description = "a name to report (default: the host name)")
    String name;

    @Option(names = "--batch-size", defaultValue = "1000", description = "devices per SyncDevices batch (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--window", defaultValue = "2", description = "unacknowledged batches at most (default ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--config-refresh", defaultValue = "60s", paramLabel = "DURATION", converter = DurationOption.class,
            description = "how often to ask GetSyncConfig for changed sources (default ${DEFAULT-VALUE})")
    Duration configRefresh;

    @Option(names = "--once", description = "run every source's discovery once, then exit (non-zero if one failed)")
    boolean once;

    /** The SaaS sync runs endpoints tenants typed: public addresses only. An on-prem one reaches its own network. */
    private OutboundPolicy outbound() {
        try {
            return connection.token().startsWith("fgp_") ? OutboundPolicy.publicOnly(OutboundPolicy.parseAllowed(saasAllowedNetworks))
                    : OutboundPolicy.anywhere();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--saas-allowed-networks: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        if (batchSize < 1 || window < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size and --window must be positive");
        }
        GatewayAddress address = connection.address();
        SyncRunner.Options defaults = SyncRunner.Options.defaults(address);
        SyncRunner.Options options = new SyncRunner.Options(address, name == null ? defaults.name() : name, batchSize, window,
                configRefresh, defaults.firstBackoff(), defaults.maxBackoff(), outbound());
        try (SyncRunner runner = new SyncRunner(options)) {
            if (once) {
                List<DiscoveryReport> reports = runner.runOnce().block();
                return reports != null && reports.stream().allMatch(DiscoveryReport::succeeded) ? 0 : 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "sync-shutdown"));
            runner.start();
            stopped.await();
        }
        return 0;
    }
}
