package io.fleetgate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's settings for {@code --help}: every environment variable application.yaml reads,
 * with its default, taken from that file itself so the list cannot drift from what is read.
 */
final class GatewayHelp {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{((?:FLEETGATE|SERVER)_[A-Z0-9_]+):([^}]*)}");

    private GatewayHelp() {
    }

    static String settings() {
        Map<String, String> defaults = new LinkedHashMap<>();
        try (InputStream yaml = GatewayHelp.class.getResourceAsStream("/application.yaml")) {
            if (yaml == null) {
                return "";
            }
            Matcher variables = VARIABLE.matcher(new String(yaml.readAllBytes(), StandardCharsets.UTF_8));
            while (variables.find()) {
                defaults.putIfAbsent(variables.group(1), variables.group(2));
            }
        } catch (IOException e) {
            return "";
        }
        StringBuilder text = new StringBuilder("Settings (environment variables; docs/operations.md says what each does):\n");
        defaults.forEach((name, value) -> text.append("  ").append(name).append(value.isEmpty() ? "" : " (default " + value + ")").append('\n'));
        return text.toString();
    }
}
