package io.fleetgate.sync;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Raw records a careless or hostile source may send: mostly JSON objects built to sit on the
 * edges of what PostgreSQL's jsonb takes (surrogate and NUL escapes, numbers at numeric's
 * limits, control characters, a byte order mark, deep nesting), some plain random text and
 * bytes. Deterministic for a given {@link Random}.
 */
final class AdversarialJson {

    private static final String[] ESCAPES = {"\\ud83d", "\\ude00", "\\ud83d\\ude00", "\\uD800\\uDC00", "\\udbff\\udfff", "\\u0000",
            "\\u0001", "\\u001f", "\\uFFFF", "\\uFFFE", "\\u00e9", "\\\\u0000", "\\\\", "\\\"", "\\/", "\\n", "\\t", "\\b", "\\x41",
            "\\u12", "\\'"};
    private static final String[] TEXT = {"a", "é", "😀", "\u0660", "\uff10", " ", "\u2028", "\u007f", "\u0001", "\t", "\"", "}"};
    private static final int[] EXPONENTS = {0, 1, 400, 1000, 1001, 16382, 16383, 16384, 131071, 131072, 131073, 1_000_000,
            1_073_741_822, 1_073_741_823};

    private AdversarialJson() {
    }

    /** One raw record, as the bytes a device would carry. */
    static byte[] next(Random random) {
        int kind = random.nextInt(20);
        if (kind == 0) {
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            return bytes;
        }
        if (kind == 1) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(30); i > 0; i--) {
                text.append(TEXT[random.nextInt(TEXT.length)]);
            }
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }
        StringBuilder json = new StringBuilder();
        if (random.nextInt(15) == 0) {
            json.append('\uFEFF');
        }
        object(random, json, 0);
        if (random.nextInt(25) == 0) {
            json.append(random.nextBoolean() ? " {}" : " ");
        }
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void object(Random random, StringBuilder json, int depth) {
        json.append('{');
        for (int i = random.nextInt(4); i > 0; i--) {
            string(random, json);
            json.append(random.nextBoolean() ? ":" : " : ");
            value(random, json, depth + 1);
            json.append(i > 1 ? "," : "");
        }
        json.append('}');
    }

    private static void value(Random random, StringBuilder json, int depth) {
        switch (random.nextInt(depth > 70 ? 3 : 6)) {
            case 0 -> string(random, json);
            case 1 -> number(random, json);
            case 2 -> json.append(new String[] {"true", "false", "null", "NaN", "01", "1.", ".5", "-"}[random.nextInt(random.nextInt(10) == 0 ? 8 : 3)]);
            case 3 -> object(random, json, depth);
            case 4 -> {
                json.append('[');
                for (int i = random.nextInt(3); i > 0; i--) {
                    value(random, json, depth + 1);
                    json.append(i > 1 ? "," : "");
                }
                json.append(']');
            }
            default -> {
                // a deep chain, near the nesting limit
                int levels = 50 + random.nextInt(30);
                json.append("[".repeat(levels)).append(1).append("]".repeat(levels));
            }
        }
    }

    private static void string(Random random, StringBuilder json) {
        json.append('"');
        for (int i = random.nextInt(6); i > 0; i--) {
            if (random.nextBoolean()) {
                json.append(ESCAPES[random.nextInt(ESCAPES.length)]);
            } else if (random.nextInt(6) == 0) {
                json.append(String.format("\\u%04x", random.nextInt(0x10000)));
            } else {
                json.append(TEXT[random.nextInt(TEXT.length)]);
            }
        }
        json.append('"');
    }

    private static void number(Random random, StringBuilder json) {
        if (random.nextBoolean()) {
            json.append('-');
        }
        json.append(random.nextInt(5) == 0 ? "0" : String.valueOf(1 + random.nextInt(1000)));
        if (random.nextBoolean()) {
            json.append('.').append("0".repeat(random.nextInt(3))).append(random.nextInt(100));
        }
        if (random.nextInt(3) > 0) {
            int exponent = EXPONENTS[random.nextInt(EXPONENTS.length)] + random.nextInt(3) - 1;
            json.append(random.nextBoolean() ? 'e' : 'E').append(random.nextBoolean() ? "-" : random.nextBoolean() ? "+" : "")
                    .append(Math.max(0, exponent));
        }
    }
}
