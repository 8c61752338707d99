package io.fleetgate.agent;

import io.fleetgate.error.GatewayException;
import io.fleetgate.error.PlainText;
import io.fleetgate.proto.AgentHelloRequest;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What an agent may say of itself in Hello. Every field is stored in the agent's row and shown
 * to operators, so each is bounded in size, count and characters: an unbounded Hello once
 * stored 12 MB per row.
 */
final class HelloBounds {

    private static final int MAX_LABELS = 64;
    private static final int MAX_CAPABILITIES = 32;
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9._/-]{1,63}");
    private static final Pattern CAPABILITY = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final int MAX_LABEL_VALUE = 256;

    private HelloBounds() {
    }

    /** Throws INVALID_ARGUMENT naming the first field out of bounds. */
    static void check(AgentHelloRequest request) {
        PlainText.check("hostname", request.getHostname(), 255);
        PlainText.check("version", request.getVersion(), 64);
        PlainText.check("partition", request.getPartition(), 100);
        PlainText.check("config_version", request.getConfigVersion(), 128);
        if (request.getCapabilitiesCount() > MAX_CAPABILITIES) {
            throw GatewayException.invalid("capabilities", "at most " + MAX_CAPABILITIES);
        }
        for (String capability : request.getCapabilitiesList()) {
            if (!CAPABILITY.matcher(capability).matches()) {
                throw GatewayException.invalid("capabilities", "each matching " + CAPABILITY.pattern());
            }
        }
        if (request.getLabelsCount() > MAX_LABELS) {
            throw GatewayException.invalid("labels", "at most " + MAX_LABELS);
        }
        for (Map.Entry<String, String> label : request.getLabelsMap().entrySet()) {
            if (!LABEL_KEY.matcher(label.getKey()).matches()) {
                throw GatewayException.invalid("labels", "keys matching " + LABEL_KEY.pattern());
            }
            PlainText.check("labels." + label.getKey(), label.getValue(), MAX_LABEL_VALUE);
        }
    }
}
