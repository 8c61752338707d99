package io.fleetgate.client.sync.discovery;

import io.fleetgate.proto.DiscoveredDevice;
import java.util.List;

/**
 * What one discovery found: devices by position, so batches can be sent (and resent) by index
 * range without keeping anything else. The faker computes its devices on demand.
 */
public interface Inventory {

    int size();

    DiscoveredDevice get(int index);

    static Inventory of(List<DiscoveredDevice> devices) {
        List<DiscoveredDevice> copy = List.copyOf(devices);
        return new Inventory() {
            @Override
            public int size() {
                return copy.size();
            }

            @Override
            public DiscoveredDevice get(int index) {
                return copy.get(index);
            }
        };
    }
}
