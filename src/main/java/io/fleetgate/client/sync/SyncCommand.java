package io.fleetgate.client.sync;

import io.fleetgate.client.GatewayAddress;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fleetgate.jar sync}: the reference sync service. */
@Command(name = "sync", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Registers as a sync service, runs the discoveries of its integration sources (faker, NetBox, Armis) "
                + "and streams the devices to the gateway.")
public final class SyncCommand implements Callable<Integer> {

    @Option(names = "--gateway", required = true, paramLabel = "HOST:PORT", description = "the gateway's gRPC address")
    String gateway;

    @Option(names = "--token", required = true, description = "this sync service's credential (or FLEETGATE_TOKEN)",
            defaultValue = "${env:FLEETGATE_TOKEN}")
    String token;

    @Option(names = "--name", description = "a name to report (default: the host name)")
    String name;

    @Option(names = "--batch-size", defaultValue = "1000", description = "devices per SyncDevices batch (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--window", defaultValue = "2", description = "unacknowledged batches at most (default ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--config-refresh", defaultValue = "60s", paramLabel = "SECONDS",
            description = "how often to ask GetSyncConfig for changed sources (default ${DEFAULT-VALUE})")
    Duration configRefresh;

    @Option(names = "--once", description = "run every source's discovery once, then exit (non-zero if one failed)")
    boolean once;

    @Option(names = "--tls", description = "connect with TLS")
    boolean tls;

    @Option(names = "--ca", paramLabel = "FILE", description = "CA certificates to trust (PEM)")
    File ca;

    @Option(names = "--cert", paramLabel = "FILE", description = "client certificate for mTLS (PEM)")
    File certificate;

    @Option(names = "--key", paramLabel = "FILE", description = "client key for mTLS (PEM)")
    File key;

    @Override
    public Integer call() throws InterruptedException {
        if (batchSize < 1 || window < 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--batch-size and --window must be positive");
        }
        GatewayAddress address = new GatewayAddress(gateway, token, tls, ca, certificate, key, null);
        SyncRunner.Options defaults = SyncRunner.Options.defaults(address);
        SyncRunner.Options options = new SyncRunner.Options(address, name == null ? defaults.name() : name, batchSize, window,
                configRefresh, defaults.firstBackoff(), defaults.maxBackoff());
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
