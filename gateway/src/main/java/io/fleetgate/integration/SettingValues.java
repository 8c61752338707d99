package io.fleetgate.integration;

import java.util.List;
import java.util.stream.Collectors;

/** Settings travel to sync services as strings: lists comma-joined, whole numbers without a fraction. */
final class SettingValues {

    private SettingValues() {
    }

    static String text(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(SettingValues::text).collect(Collectors.joining(","));
        }
        if (value instanceof Double number && number == Math.rint(number) && !Double.isInfinite(number)) {
            return String.valueOf(number.longValue());
        }
        return String.valueOf(value);
    }
}
