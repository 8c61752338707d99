package io.fleetgate.client.sync.discovery;

import io.fleetgate.net.Ascii;
import java.util.Map;
import reactor.core.publisher.Mono;

/** One inventory source: discovers its devices, run after run. */
public interface Discovery {

    /**
     * The setting GetSyncConfig adds to sources the SaaS sync runs: their tenant's quota of devices
     * per run. A discovery stops at it.
     */
    String MAX_DEVICES = "max_devices";

    /** The settings' cap on devices per run; unbounded when absent. */
    static int maxDevices(Map<String, String> settings) {
        String value = settings.get(MAX_DEVICES);
        return value == null || value.isBlank() ? Integer.MAX_VALUE : Ascii.parseInt(value);
    }

    /** Run number {@code run} (0, 1, 2, … per process) of this source's discovery. */
    Mono<Inventory> discover(int run);
}
