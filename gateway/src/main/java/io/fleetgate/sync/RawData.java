package io.fleetgate.sync;

import io.fleetgate.net.Ascii;
import java.util.List;
import java.util.TreeSet;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks a device's {@code raw_data} in one streaming pass, without building a tree: it must be
 * one JSON object, nested at most {@value #MAX_DEPTH} deep, that PostgreSQL's {@code jsonb}
 * accepts. Jackson is more lenient than {@code jsonb} in three ways, each checked here, so that
 * no accepted device can fail its batch's statement: a byte order mark, backslash-u escapes of
 * NUL or of unpaired surrogates ({@link #escapeProblem}), and numbers {@code numeric} cannot
 * hold ({@link JsonbNumbers}). On the way it collects the ports the record names at its top
 * level ({@code "ports": [..]} and {@code "services": [{"port": ..}]}).
 */
final class RawData {

    static final int MAX_DEPTH = 64;
    static final String NUL = "raw_data contains a NUL character";
    private static final String UNPAIRED_HIGH = "raw_data has an unpaired surrogate escape (a high one not followed by a low one)";
    private static final String UNPAIRED_LOW = "raw_data has an unpaired surrogate escape (a low one without a high one)";

    /** The outcome: the ports found, or why the data is unusable. */
    record Inspection(List<Integer> ports, String problem) {
        boolean valid() {
            return problem == null;
        }

        static Inspection invalid(String problem) {
            return new Inspection(List.of(), problem);
        }
    }

    private RawData() {
    }

    static Inspection inspect(byte[] json) {
        if (json.length >= 3 && json[0] == (byte) 0xEF && json[1] == (byte) 0xBB && json[2] == (byte) 0xBF) {
            return Inspection.invalid("raw_data starts with a byte order mark (jsonb refuses it)");
        }
        String escape = escapeProblem(json);
        if (escape != null) {
            return Inspection.invalid(escape);
        }
        TreeSet<Integer> ports = new TreeSet<>();
        try (JsonParser parser = JsonMapper.shared().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Inspection.invalid("raw_data must be a JSON object");
            }
            int depth = 1;
            String topField = null;
            String serviceField = null;
            while (depth > 0) {
                JsonToken token = parser.nextToken();
                if (token == null) {
                    return Inspection.invalid("raw_data is truncated JSON");
                }
                switch (token) {
                    case START_OBJECT, START_ARRAY -> {
                        depth++;
                        if (depth > MAX_DEPTH) {
                            return Inspection.invalid("raw_data is nested deeper than " + MAX_DEPTH);
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
                    case VALUE_NUMBER_FLOAT -> {
                        // only an exponent takes a number Jackson reads (at most 1000 characters) past numeric's range
                        String problem = JsonbNumbers.problem(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
                        if (problem != null) {
                            return Inspection.invalid("raw_data has a number jsonb cannot store: " + problem);
                        }
                    }
                    default -> {
                        // strings and other scalars need no check (escapes were looked at before)
                    }
                }
            }
            if (parser.nextToken() != null) {
                return Inspection.invalid("raw_data has content after its JSON object");
            }
            return new Inspection(List.copyOf(ports), null);
        } catch (JacksonException e) {
            return Inspection.invalid("raw_data is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * What is wrong with the text's backslash-u escapes for jsonb, or null: an escaped NUL
     * (PostgreSQL text cannot hold one), a raw NUL, or a surrogate escape that is not a high one
     * directly followed by a low one (a lone high surrogate escape is valid JSON to Jackson, not to
     * jsonb). One pass over the bytes; an escaped backslash followed by "u0000" is no escape.
     */
    static String escapeProblem(byte[] json) {
        boolean expectLow = false;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (b == 0) {
                return NUL;
            }
            if (b != '\\' || i + 1 >= json.length) {
                if (expectLow) {
                    return UNPAIRED_HIGH;
                }
                continue;
            }
            int unit = json[i + 1] == 'u' ? unit(json, i + 2) : -1;
            boolean low = unit >= 0xDC00 && unit <= 0xDFFF;
            if (expectLow != low) {
                return low ? UNPAIRED_LOW : UNPAIRED_HIGH;
            }
            if (unit == 0) {
                return NUL;
            }
            expectLow = unit >= 0xD800 && unit <= 0xDBFF;
            i += unit >= 0 ? 5 : 1; // past the escape (an escaped backslash is itself skipped)
        }
        return expectLow ? UNPAIRED_HIGH : null;
    }

    /** The code unit of the four hex digits at {@code at}, or -1 when there are not four. */
    private static int unit(byte[] json, int at) {
        if (at + 4 > json.length) {
            return -1;
        }
        int value = 0;
        for (int i = at; i < at + 4; i++) {
            int digit = Ascii.hexDigit((char) (json[i] & 0xff));
            if (digit < 0) {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
    }
}
