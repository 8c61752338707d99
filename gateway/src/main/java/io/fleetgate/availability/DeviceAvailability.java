package io.fleetgate.availability;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A canonical device's availability from what the agents that sweep its IPs see. Pure.
 *
 * <p>Each agent's view first: up when it sees any of the device's IPs up, down when every IP it
 * has decided on is down, none while it has decided nothing (each agent's view is its own: one
 * never overwrites another's). Then the rule: {@code any} — available when any agent sees the
 * device up; {@code all} — available only when every agent with a view sees it up. Unknown while
 * no agent has a view.
 */
public final class DeviceAvailability {

    public enum Rule {
        ANY, ALL;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Availability {
        AVAILABLE, UNAVAILABLE, UNKNOWN;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Availability of(String wireName) {
            return valueOf(wireName.toUpperCase(Locale.ROOT));
        }
    }

    /** One agent's state of one of the device's IPs. */
    public record Seen(String agent, FlapDamping.State state) {
    }

    private DeviceAvailability() {
    }

    public static Availability of(Collection<Seen> observations, Rule rule) {
        Map<String, Boolean> views = new HashMap<>(); // agent → sees the device up
        for (Seen seen : observations) {
            if (seen.state() != FlapDamping.State.UNKNOWN) {
                views.merge(seen.agent(), seen.state() == FlapDamping.State.UP, Boolean::logicalOr);
            }
        }
        if (views.isEmpty()) {
            return Availability.UNKNOWN;
        }
        boolean available = rule == Rule.ANY ? views.containsValue(true) : !views.containsValue(false);
        return available ? Availability.AVAILABLE : Availability.UNAVAILABLE;
    }
}
