package io.fleetgate.sweep;

import io.fleetgate.error.GatewayException;
import java.util.Arrays;
import java.util.List;

/** How an agent probes a target: ICMP reachability, TCP (SYN) or full TCP connect on its ports. */
public enum SweepMode {
    ICMP, TCP, TCP_CONNECT;

    public String id() {
        return name().toLowerCase();
    }

    /** Whether the mode probes ports (so a target in it must have some). */
    public boolean usesPorts() {
        return this != ICMP;
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(SweepMode::id).toList();
    }

    public static SweepMode parse(String field, String value) {
        for (SweepMode mode : values()) {
            if (mode.id().equals(value)) {
                return mode;
            }
        }
        throw GatewayException.invalid(field, "unknown sweep mode '" + value + "' (expected one of " + ids() + ")");
    }
}
