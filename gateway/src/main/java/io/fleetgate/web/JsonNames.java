package io.fleetgate.web;

/** The JSON (snake_case) name of a Java property. */
final class JsonNames {

    private JsonNames() {
    }

    static String snake(String property) {
        StringBuilder name = new StringBuilder(property.length() + 4);
        for (int i = 0; i < property.length(); i++) {
            char c = property.charAt(i);
            if (Character.isUpperCase(c)) {
                name.append('_').append(Character.toLowerCase(c));
            } else {
                name.append(c);
            }
        }
        return name.toString();
    }
}
