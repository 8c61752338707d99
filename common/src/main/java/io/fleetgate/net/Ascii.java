package io.fleetgate.net;

/**
 * ASCII-only reading of numbers and identifiers. {@link Character#digit} and
 * {@link Integer#parseInt} accept every Unicode digit (Arabic-Indic, full-width, …), so a MAC
 * of Arabic-Indic zeros would pass for a real one; addresses, ports and ids use these instead.
 */
public final class Ascii {

    private Ascii() {
    }

    /** The value of an ASCII hex digit, or -1 (for every other character, digits of other scripts included). */
    public static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Whether the text is non-empty and only ASCII decimal digits. */
    public static boolean isDigits(CharSequence text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Whether every character is printable ASCII (space to tilde). */
    public static boolean isPrintable(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }

    /**
     * A decimal integer of ASCII digits (an optional leading '-'), or NumberFormatException: the
     * ASCII-only counterpart of {@link Integer#parseInt(String)}.
     */
    public static int parseInt(String text) {
        return Integer.parseInt(wholeNumber(text, 10));
    }

    /** {@link #parseInt} for longs. */
    public static long parseLong(String text) {
        return Long.parseLong(wholeNumber(text, 19));
    }

    /** The text when it is an optional '-' and 1 to maxDigits ASCII digits (the JDK parsers check the range). */
    private static String wholeNumber(String text, int maxDigits) {
        String value = text == null ? "" : text;
        String digits = value.startsWith("-") ? value.substring(1) : value;
        if (!isDigits(digits) || digits.length() > maxDigits) {
            throw new NumberFormatException("not a whole number: '" + abbreviate(value) + "'");
        }
        return value;
    }

    private static String abbreviate(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }
}
