package io.fleetgate.error;

import io.fleetgate.net.Ascii;
import org.jspecify.annotations.Nullable;

/**
 * Text a client names itself with (host names, versions, messages): bounded, and free of control,
 * unassigned and lone surrogate characters. NUL in particular, which PostgreSQL's text refuses: a
 * field carrying one is the client's error, named, not the database's.
 */
public final class PlainText {

    private PlainText() {
    }

    /** The value, when at most {@code max} characters of plain text; INVALID_ARGUMENT naming the field otherwise. */
    public static String check(String field, String value, int max) {
        if (value.length() > max) {
            throw GatewayException.invalid(field, "longer than " + max + " characters");
        }
        // printable ASCII (every field of an agent's poll) needs no Unicode category per character
        if (!Ascii.isPrintable(value) && !value.codePoints().allMatch(PlainText::allowed)) {
            throw GatewayException.invalid(field, "control or undefined characters");
        }
        return value;
    }

    /**
     * Free text kept rather than refused (an agent's reason for refusing a config): control,
     * unassigned and lone surrogate characters become U+FFFD, and past {@code max} characters it is
     * cut, never in the middle of a character.
     */
    public static String sanitized(String value, int max) {
        if (value.length() <= max && Ascii.isPrintable(value)) {
            return value;
        }
        StringBuilder text = new StringBuilder(Math.min(value.length(), max));
        value.codePoints().map(c -> allowed(c) ? c : 0xFFFD).takeWhile(c -> text.length() + Character.charCount(c) <= max)
                .forEach(text::appendCodePoint);
        return text.toString();
    }

    private static boolean allowed(int c) {
        return !Character.isISOControl(c) && Character.isDefined(c) && Character.getType(c) != Character.SURROGATE;
    }

    /** {@link #check} for a field a client may leave out: null when blank, the value stripped otherwise. */
    public static @Nullable String optional(String field, String value, int max) {
        check(field, value, max);
        return value.isBlank() ? null : value.strip();
    }
}
