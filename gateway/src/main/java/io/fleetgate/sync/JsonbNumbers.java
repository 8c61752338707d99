package io.fleetgate.sync;

/**
 * Whether PostgreSQL's {@code numeric} (which {@code jsonb} stores numbers as) can hold a JSON
 * number. Its limits, measured on PostgreSQL 15 and 16: an exponent of magnitude below
 * {@code INT_MAX / 2}, at most {@value #MAX_INTEGER_DIGITS} digits before the decimal point and
 * at most {@value #MAX_SCALE} after it, counting written trailing zeros (the display scale), so
 * {@code 0e-16384} is refused though it is zero. Where the two differ, the stricter one holds:
 * PostgreSQL 16 stores {@code 0e1073741823} (exponent exactly {@code INT_MAX / 2}), 15 refuses it,
 * and so do we. Pure.
 */
final class JsonbNumbers {

    static final int MAX_INTEGER_DIGITS = 131_072;
    static final int MAX_SCALE = 16_383;
    private static final long MAX_EXPONENT = Integer.MAX_VALUE / 2;

    private JsonbNumbers() {
    }

    /** Why a syntactically valid JSON number is out of numeric's range, or null when it fits. */
    static String problem(char[] text, int offset, int length) {
        int end = offset + length;
        int i = offset;
        if (i < end && text[i] == '-') {
            i++;
        }
        int integerDigits = 0;
        int leadingZeros = 0; // of the significand, before its first non-zero digit
        boolean nonZero = false;
        for (; i < end && text[i] >= '0' && text[i] <= '9'; i++) {
            integerDigits++;
            nonZero |= text[i] != '0';
            leadingZeros += nonZero ? 0 : 1;
        }
        int fractionDigits = 0;
        if (i < end && text[i] == '.') {
            for (i++; i < end && text[i] >= '0' && text[i] <= '9'; i++) {
                fractionDigits++;
                nonZero |= text[i] != '0';
                leadingZeros += nonZero ? 0 : 1;
            }
        }
        long exponent = 0;
        if (i < end && (text[i] == 'e' || text[i] == 'E')) {
            i++;
            boolean negative = i < end && text[i] == '-';
            if (i < end && (text[i] == '-' || text[i] == '+')) {
                i++;
            }
            for (; i < end; i++) {
                exponent = Math.min(exponent * 10 + (text[i] - '0'), MAX_EXPONENT);
            }
            exponent = negative ? -exponent : exponent;
        }
        if (Math.abs(exponent) >= MAX_EXPONENT) {
            return "exponent out of range";
        }
        if (Math.max(0, fractionDigits - exponent) > MAX_SCALE) {
            return "more than " + MAX_SCALE + " digits after the decimal point";
        }
        // digits before the point of the value: from its first non-zero digit to the (shifted) point
        if (nonZero && integerDigits - leadingZeros + exponent > MAX_INTEGER_DIGITS) {
            return "more than " + MAX_INTEGER_DIGITS + " digits before the decimal point";
        }
        return null;
    }

    static String problem(String text) {
        return problem(text.toCharArray(), 0, text.length());
    }
}
