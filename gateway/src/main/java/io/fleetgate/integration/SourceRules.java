package io.fleetgate.integration;

import io.fleetgate.error.GatewayException;
import io.fleetgate.net.Cidr;
import io.fleetgate.security.AgentIds;
import io.fleetgate.source.Endpoints;
import io.fleetgate.source.SourceType;
import io.fleetgate.sweep.SweepMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Validation and normalisation of integration sources, including the settings each source type
 * takes (docs/api.md lists them). Every failure names the JSON field. No I/O.
 */
public final class SourceRules {

    private static final Pattern PARTITION = Pattern.compile("[A-Za-z0-9._:-]{1,100}");
    static final int DEFAULT_POLL_INTERVAL_SEC = 3600;
    private static final int MAX_CREDENTIALS = 50;

    private SourceRules() {
    }

    /** The normalised source; {@code creating} makes sync_service_id required. */
    public static SourceSpec validate(SourceRequest request, boolean creating) {
        if (request.tenantId() == null) {
            throw GatewayException.invalid("tenant_id", "required");
        }
        String name = required("name", request.name(), 100);
        if (request.sourceType() == null || request.sourceType().isBlank()) {
            throw GatewayException.invalid("source_type", "required (one of " + SourceType.ids() + ")");
        }
        SourceType type = SourceType.parse("source_type", request.sourceType().trim().toLowerCase());
        String endpoint = request.endpoint() == null || request.endpoint().isBlank() ? null
                : Endpoints.validate("endpoint", request.endpoint());
        if (endpoint == null && type.needsEndpoint()) {
            throw GatewayException.invalid("endpoint", "required for " + type.id() + " sources");
        }
        if (creating && request.syncServiceId() == null) {
            throw GatewayException.invalid("sync_service_id", "required: the platform sync service or one of the tenant's");
        }
        String agentUid = optional("agent_uid", request.agentUid(), AgentIds.PATTERN);
        String partition = request.partition() == null || request.partition().isBlank() ? "default"
                : optional("partition", request.partition(), PARTITION);
        int poll = request.pollIntervalSec() == null ? DEFAULT_POLL_INTERVAL_SEC : request.pollIntervalSec();
        if (poll < 10 || poll > 7 * 24 * 3600) {
            throw GatewayException.invalid("poll_interval_sec", "between 10 and 604800 seconds");
        }
        Integer prefix = request.networkPrefix();
        if (prefix != null && (prefix < 8 || prefix > 32)) {
            throw GatewayException.invalid("network_prefix", "an IPv4 prefix length between 8 and 32 (IPv6 addresses are widened by as many host bits)");
        }
        return new SourceSpec(request.tenantId(), name, type, endpoint, request.syncServiceId(), agentUid, partition,
                credentials(request.credentials()), poll, ports("default_ports", request.defaultPorts()),
                modes(request.sweepModes()), prefix, request.enabled() == null || request.enabled(),
                settings(type, request.settings()));
    }

    /** Ports 1–65535, de-duplicated and sorted. */
    /**
     * Stored credentials stay only where they were entered for: an update that sends the source
     * to another origin or another sync service without entering them again would hand them to
     * whoever runs that endpoint or service (INVALID_ARGUMENT).
     */
    static void requireCredentialsToMove(IntegrationSource current, String endpoint, UUID syncService, boolean credentialsGiven) {
        if (credentialsGiven || current.encryptedCredentials() == null) {
            return;
        }
        if (!Endpoints.origin(endpoint).equals(Endpoints.origin(current.endpoint()))) {
            throw GatewayException.invalid("credentials", "the endpoint moves to another origin: enter the credentials again");
        }
        if (!syncService.equals(current.syncServiceId())) {
            throw GatewayException.invalid("credentials", "the source moves to another sync service: enter the credentials again");
        }
    }

    public static List<Integer> ports(String field, List<?> values) {
        if (values == null) {
            return List.of();
        }
        if (values.size() > 1000) {
            throw GatewayException.invalid(field, "at most 1000 ports");
        }
        TreeSet<Integer> ports = new TreeSet<>();
        for (Object value : values) {
            if (!(value instanceof Number number) || number.doubleValue() != number.intValue()
                    || number.intValue() < 1 || number.intValue() > 65535) {
                throw GatewayException.invalid(field, "ports are whole numbers from 1 to 65535, got " + value);
            }
            ports.add(number.intValue());
        }
        return List.copyOf(ports);
    }

    private static List<String> modes(List<String> values) {
        if (values == null) {
            return List.of();
        }
        Set<String> modes = new java.util.LinkedHashSet<>();
        for (String value : values) {
            modes.add(SweepMode.parse("sweep_modes", value == null ? "" : value.trim().toLowerCase()).id());
        }
        return List.copyOf(modes);
    }

    private static Map<String, String> credentials(Map<String, String> values) {
        if (values == null) {
            return null;
        }
        if (values.size() > MAX_CREDENTIALS) {
            throw GatewayException.invalid("credentials", "at most " + MAX_CREDENTIALS + " entries");
        }
        Map<String, String> copy = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (key.isBlank() || key.length() > 100 || value == null || value.length() > 10_000) {
                throw GatewayException.invalid("credentials", "keys of 1–100 characters with string values of at most 10000");
            }
            copy.put(key, value);
        });
        return copy;
    }

    /** Settings every source takes: how its devices are swept (else the gateway's defaults). */
    private static final List<String> SWEEP_SETTINGS = List.of("sweep_interval_sec", "sweep_concurrency", "sweep_timeout_ms");

    /** The settings a source type takes, with their defaults filled in; unknown keys are refused. */
    static Map<String, Object> settings(SourceType type, Map<String, Object> values) {
        Map<String, Object> given = new LinkedHashMap<>(values == null ? Map.of() : values);
        Map<String, Object> settings = new LinkedHashMap<>();
        sweepSetting(given, settings, "sweep_interval_sec", 10, 86_400);
        sweepSetting(given, settings, "sweep_concurrency", 1, 10_000);
        sweepSetting(given, settings, "sweep_timeout_ms", 50, 60_000);
        switch (type) {
            case FAKER -> {
                allow(given, "count", "seed", "networks", "churn", "ports");
                settings.put("count", integer(given, "count", 100, 1, 1_000_000));
                if (given.containsKey("ports")) {
                    settings.put("ports", ports("settings.ports", list(given, "ports")));
                }
                settings.put("seed", integer(given, "seed", 1, Integer.MIN_VALUE, Integer.MAX_VALUE));
                settings.put("networks", cidrs(given.getOrDefault("networks", List.of("127.0.0.0/8"))));
                settings.put("churn", fraction(given, "churn", 0.0));
            }
            case NETBOX -> {
                allow(given, "tcp_ports", "page_size");
                settings.put("tcp_ports", ports("settings.tcp_ports", list(given, "tcp_ports")));
                settings.put("page_size", integer(given, "page_size", 100, 1, 1000));
            }
            case ARMIS -> {
                allow(given, "queries", "page_size");
                Object queries = given.getOrDefault("queries", List.of("in:devices"));
                List<String> list = new ArrayList<>();
                for (Object query : queries instanceof List<?> many ? many : List.of(queries)) {
                    if (!(query instanceof String text) || text.isBlank() || text.length() > 2000) {
                        throw GatewayException.invalid("settings.queries", "AQL queries are non-empty strings");
                    }
                    list.add(text);
                }
                if (list.isEmpty()) {
                    throw GatewayException.invalid("settings.queries", "at least one AQL query");
                }
                settings.put("queries", list);
                settings.put("page_size", integer(given, "page_size", 1000, 1, 10_000));
            }
        }
        return settings;
    }

    private static void sweepSetting(Map<String, Object> given, Map<String, Object> settings, String key, long min, long max) {
        if (given.containsKey(key)) {
            settings.put(key, integer(given, key, 0, min, max));
            given.remove(key);
        }
    }

    private static void allow(Map<String, Object> given, String... keys) {
        Set<String> known = new java.util.HashSet<>(Set.of(keys));
        known.addAll(SWEEP_SETTINGS);
        for (String key : given.keySet()) {
            if (!known.contains(key)) {
                throw GatewayException.invalid("settings." + key, "unknown setting (expected " + new TreeSet<>(known) + ")");
            }
        }
    }

    private static List<?> list(Map<String, Object> given, String key) {
        Object value = given.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw GatewayException.invalid("settings." + key, "a list");
        }
        return list;
    }

    private static long integer(Map<String, Object> given, String key, long fallback, long min, long max) {
        Object value = given.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number number) || number.doubleValue() != number.longValue()
                || number.longValue() < min || number.longValue() > max) {
            throw GatewayException.invalid("settings." + key, "a whole number from " + min + " to " + max);
        }
        return number.longValue();
    }

    private static double fraction(Map<String, Object> given, String key, double fallback) {
        Object value = given.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number number) || number.doubleValue() < 0 || number.doubleValue() > 1) {
            throw GatewayException.invalid("settings." + key, "a number from 0 to 1");
        }
        return number.doubleValue();
    }

    private static List<String> cidrs(Object value) {
        List<?> values = value instanceof List<?> list ? list : List.of(value);
        if (values.isEmpty() || values.size() > 100) {
            throw GatewayException.invalid("settings.networks", "1 to 100 CIDR blocks");
        }
        List<String> cidrs = new ArrayList<>();
        for (Object item : values) {
            try {
                cidrs.add(Cidr.parse(String.valueOf(item)).toString());
            } catch (IllegalArgumentException e) {
                throw GatewayException.invalid("settings.networks", e.getMessage());
            }
        }
        return cidrs;
    }

    private static String required(String field, String value, int max) {
        String trimmed = value == null ? "" : value.strip();
        if (trimmed.isEmpty() || trimmed.length() > max) {
            throw GatewayException.invalid(field, "between 1 and " + max + " characters");
        }
        return trimmed;
    }

    private static String optional(String field, String value, Pattern pattern) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String trimmed = value.strip();
        if (!pattern.matcher(trimmed).matches()) {
            throw GatewayException.invalid(field, "must match " + pattern.pattern());
        }
        return trimmed;
    }

    /** The sync service id of a create or update, when given. */
    static UUID syncServiceOf(SourceSpec spec, UUID current) {
        return spec.syncServiceId() == null ? current : spec.syncServiceId();
    }
}
