package io.fleetgate.sweepjson;

import io.fleetgate.net.Cidr;
import io.fleetgate.proto.SweepConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The original agents' {@code sweep.json}: {@code networks}, {@code ports}, {@code sweep_modes},
 * {@code interval} ("5m"), {@code concurrency}, {@code timeout} ("2s"), and {@code device_targets}
 * with {@code network}, {@code sweep_modes}, {@code source}, {@code metadata} (and, written by
 * Fleetgate, {@code ports}). Read as the agent's fallback; written by the gateway's legacy KV path.
 */
public final class SweepFile {

    private static final JsonMapper JSON = JsonMapper.shared();

    private SweepFile() {
    }

    public static SweepPlan read(Path file) throws IOException {
        return parse(Files.readString(file), "file:" + file);
    }

    public static SweepPlan parse(String text, String origin) {
        JsonNode root = JSON.readTree(text);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("sweep config must be a JSON object");
        }
        List<Integer> ports = ints(root.get("ports"));
        List<String> modes = strings(root.get("sweep_modes"));
        List<SweepPlan.Target> targets = new ArrayList<>();
        JsonNode devices = root.get("device_targets");
        if (devices != null && devices.isArray()) {
            for (JsonNode device : devices) {
                String network = device.path("network").asString("");
                if (network.isBlank()) {
                    continue;
                }
                Cidr block = Cidr.parse(network);
                if (block.prefix() != block.base().bits()) {
                    throw new IllegalArgumentException("device_targets[].network must be one address (/32 or /128): " + network);
                }
                Map<String, String> metadata = new LinkedHashMap<>();
                JsonNode meta = device.get("metadata");
                if (meta != null && meta.isObject()) {
                    meta.properties().forEach(entry -> metadata.put(entry.getKey(), entry.getValue().asString()));
                }
                targets.add(new SweepPlan.Target(block.base().toString(), ints(device.get("ports")), strings(device.get("sweep_modes")),
                        device.path("source").asString(""), metadata));
            }
        }
        return new SweepPlan(version(root), origin, strings(root.get("networks")).stream().map(Cidr::parse).toList(), targets,
                modes.isEmpty() ? List.of("icmp", "tcp") : modes, ports,
                GoDurations.parse(root.path("interval").asString("5m")), root.path("concurrency").asInt(100),
                GoDurations.parse(root.path("timeout").asString("2s")));
    }

    private static String version(JsonNode root) {
        return root.path("config_hash").asString("");
    }

    /** A sweep config in the sweep.json format (what the legacy KV path publishes). */
    public static String write(SweepConfig sweep) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode networks = root.putArray("networks");
        sweep.getNetworksList().forEach(networks::add);
        ArrayNode ports = root.putArray("ports");
        sweep.getPortsList().forEach(ports::add);
        ArrayNode modes = root.putArray("sweep_modes");
        sweep.getSweepModesList().forEach(modes::add);
        root.put("interval", GoDurations.format(java.time.Duration.ofSeconds(sweep.getSweepIntervalSec())));
        root.put("concurrency", sweep.getConcurrency());
        root.put("timeout", GoDurations.format(java.time.Duration.ofMillis(sweep.getTimeoutMs())));
        root.put("config_hash", sweep.getConfigHash());
        ArrayNode targets = root.putArray("device_targets");
        sweep.getDeviceTargetsList().forEach(target -> {
            ObjectNode device = targets.addObject();
            device.put("network", target.getIp() + (target.getIp().contains(":") ? "/128" : "/32"));
            ArrayNode targetModes = device.putArray("sweep_modes");
            target.getSweepModesList().forEach(targetModes::add);
            device.put("source", target.getSource());
            ArrayNode targetPorts = device.putArray("ports");
            target.getPortsList().forEach(targetPorts::add);
            ObjectNode metadata = device.putObject("metadata");
            new java.util.TreeMap<>(target.getMetadataMap()).forEach(metadata::put);
            metadata.put("device_id", target.getDeviceId());
            if (!target.getHostname().isEmpty()) {
                metadata.put("hostname", target.getHostname());
            }
        });
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static List<Integer> ints(JsonNode node) {
        List<Integer> values = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(value -> values.add(value.asInt()));
        }
        return values;
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(value -> values.add(value.asString()));
        }
        return values;
    }
}
