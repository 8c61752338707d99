package io.fleetgate.sync;

import java.util.List;
import java.util.TreeSet;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks a device's {@code raw_data} in one streaming pass, without building a tree: it must be
 * one JSON object, nested at most {@value #MAX_DEPTH} deep, with no NUL characters (PostgreSQL
 * cannot store them). On the way it collects the ports the record names at its top level
 * ({@code "ports": [..]} and {@code "services": [{"port": ..}]}).
 */
final class RawData {

    static final int MAX_DEPTH = 64;

    /** The outcome: the ports found, or why the data is unusable. */
    record Inspection(List<Integer> ports, String problem) {
        boolean valid() {
            return problem == null;
        }
    }

    private RawData() {
    }

    static Inspection inspect(byte[] json) {
        if (containsNul(json)) {
            return new Inspection(List.of(), "raw_data contains a NUL character");
        }
        TreeSet<Integer> ports = new TreeSet<>();
        try (JsonParser parser = JsonMapper.shared().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new Inspection(List.of(), "raw_data must be a JSON object");
            }
            int depth = 1;
            String topField = null;
            String serviceField = null;
            while (depth > 0) {
                JsonToken token = parser.nextToken();
                if (token == null) {
                    return new Inspection(List.of(), "raw_data is truncated JSON");
                }
                switch (token) {
                    case START_OBJECT, START_ARRAY -> {
                        depth++;
                        if (depth > MAX_DEPTH) {
                            return new Inspection(List.of(), "raw_data is nested deeper than " + MAX_DEPTH);
                        }
                    }
                    case END_OBJECT, END_ARRAY -> depth--;
                    case PROPERTY_NAME -> {
                        String name = parser.currentName();
                        if (depth == 1) {
                            topField = name;
                        } else if (depth == 3) {
                            serviceField = name;
                        }
                    }
                    case VALUE_NUMBER_INT -> {
                        boolean topPort = depth == 2 && "ports".equals(topField);
                        // services[].port: an object (depth 3) directly inside the top-level "services" array
                        boolean servicePort = depth == 3 && "services".equals(topField) && "port".equals(serviceField)
                                && parser.streamReadContext().inObject() && parser.streamReadContext().getParent().inArray();
                        if (topPort || servicePort) {
                            long port = parser.getLongValue();
                            if (port >= 1 && port <= 65535) {
                                ports.add((int) port);
                            }
                        }
                    }
                    default -> {
                        // strings and other scalars need no check (NUL was looked for before)
                    }
                }
            }
            if (parser.nextToken() != null) {
                return new Inspection(List.of(), "raw_data has content after its JSON object");
            }
            return new Inspection(List.copyOf(ports), null);
        } catch (JacksonException e) {
            return new Inspection(List.of(), "raw_data is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * Whether the text holds a NUL, raw or as the JSON escape backslash-u0000 (an escaped
     * backslash followed by "u0000" is none): one pass over the bytes, cheaper than decoding
     * every string to look.
     */
    static boolean containsNul(byte[] json) {
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (b == 0) {
                return true;
            }
            if (b == '\\' && i + 1 < json.length) {
                if (json[i + 1] == 'u' && i + 5 < json.length && json[i + 2] == '0' && json[i + 3] == '0'
                        && json[i + 4] == '0' && json[i + 5] == '0') {
                    return true;
                }
                i++; // the escaped character, which may itself be a backslash
            }
        }
        return false;
    }
}
