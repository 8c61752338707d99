package io.fleetgate.web;

import io.fleetgate.error.GatewayException;
import io.fleetgate.integration.IntegrationSource;
import io.fleetgate.integration.SourceRequest;
import io.fleetgate.net.Ascii;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The integration form as the browser posts it (all text), and its translation into a
 * {@link SourceRequest}; what cannot be translated fails naming the field, like the API does.
 */
public record IntegrationForm(String tenantId, String name, String sourceType, String syncServiceId, String endpoint,
                              String credentials, String agentUid, String defaultPorts, String pollIntervalSec, String settings,
                              Boolean enabled) {

    private static final JsonMapper JSON = JsonMapper.shared();

    static IntegrationForm empty(UUID tenant, String syncService) {
        return new IntegrationForm(tenant.toString(), "", "faker", syncService, "", "", "", "", "3600", "{}", true);
    }

    static IntegrationForm of(IntegrationSource source) {
        return new IntegrationForm(source.tenantId().toString(), source.name(), source.sourceType(), source.syncServiceId().toString(),
                source.endpoint() == null ? "" : source.endpoint(), "", source.agentUid() == null ? "" : source.agentUid(),
                source.defaultPorts().stream().map(String::valueOf).collect(Collectors.joining(", ")),
                String.valueOf(source.pollIntervalSec()), JSON.writeValueAsString(source.settings()), source.enabled());
    }

    public boolean isEnabled() {
        return Boolean.TRUE.equals(enabled);
    }

    /** The request this form makes; {@code current} supplies what the form does not show (on edit). */
    SourceRequest toRequest(IntegrationSource current) {
        UUID tenant;
        UUID syncService;
        try {
            tenant = UUID.fromString(tenantId);
        } catch (RuntimeException e) {
            throw GatewayException.invalid("tenant_id", "not a tenant");
        }
        try {
            syncService = syncServiceId == null || syncServiceId.isBlank() ? null : UUID.fromString(syncServiceId);
        } catch (RuntimeException e) {
            throw GatewayException.invalid("sync_service_id", "choose a sync service");
        }
        return new SourceRequest(tenant, name, sourceType, endpoint, syncService, agentUid,
                current == null ? null : current.partition(), parsedCredentials(), pollInterval(), ports(),
                current == null ? null : current.sweepModes(), current == null ? null : current.networkPrefix(), isEnabled(), parsedSettings());
    }

    private Map<String, String> parsedCredentials() {
        if (credentials == null || credentials.isBlank()) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : credentials.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw GatewayException.invalid("credentials", "write one key=value per line");
            }
            values.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return values;
    }

    private Integer pollInterval() {
        if (pollIntervalSec == null || pollIntervalSec.isBlank()) {
            return null;
        }
        try {
            return Ascii.parseInt(pollIntervalSec.strip());
        } catch (NumberFormatException e) {
            throw GatewayException.invalid("poll_interval_sec", "a whole number of seconds");
        }
    }

    private List<Integer> ports() {
        List<Integer> ports = new ArrayList<>();
        if (defaultPorts == null || defaultPorts.isBlank()) {
            return ports;
        }
        for (String part : defaultPorts.split("[,\\s]+")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                ports.add(Ascii.parseInt(part));
            } catch (NumberFormatException e) {
                throw GatewayException.invalid("default_ports", "ports are numbers from 1 to 65535, separated by commas");
            }
        }
        return ports;
    }

    private Map<String, Object> parsedSettings() {
        if (settings == null || settings.isBlank()) {
            return Map.of();
        }
        try {
            return JSON.readValue(settings, new TypeReference<Map<String, Object>>() {
            });
        } catch (JacksonException e) {
            throw GatewayException.invalid("settings", "not a JSON object: " + e.getOriginalMessage());
        }
    }
}
