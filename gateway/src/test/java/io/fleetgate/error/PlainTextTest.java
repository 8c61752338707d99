package io.fleetgate.error;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class PlainTextTest {

    @Test
    void sanitizedTextReplacesWhatLogsAndPagesCannotShowAndStopsAtTheBound() {
        assertThat(PlainText.sanitized("ok\u0000\u0007 fine", 100)).isEqualTo("ok\uFFFD\uFFFD fine");
        assertThat(PlainText.sanitized("x".repeat(5000), 1000)).hasSize(1000);
        assertThat(PlainText.sanitized("a\uD83D\uDE00", 2)).as("never half a character").isEqualTo("a");
        assertThat(PlainText.sanitized("lone \uD83D surrogate", 100)).isEqualTo("lone \uFFFD surrogate");
    }

    /** Printable ASCII is answered without a per-character lookup: the same answers as the Unicode rule. */
    @Property
    void anyTextIsCheckedAndSanitizedByTheUnicodeRule(@ForAll @StringLength(max = 60) String text, @ForAll @IntRange(min = 1, max = 80) int max) {
        boolean allowed = text.codePoints().allMatch(PlainTextTest::allowed);
        boolean refused;
        try {
            PlainText.check("field", text, 80);
            refused = false;
        } catch (GatewayException e) {
            refused = true;
        }
        assertThat(refused).isEqualTo(!allowed);
        assertThat(PlainText.sanitized(text, max)).isEqualTo(sanitizedByTheRule(text, max));
    }

    @Property
    void printableAsciiIsKeptAsItIs(@ForAll @StringLength(max = 60) @CharRange(from = ' ', to = '~') String text) {
        assertThat(PlainText.check("field", text, 60)).isSameAs(text);
        assertThat(PlainText.sanitized(text, 60)).isEqualTo(text);
    }

    private static boolean allowed(int c) {
        return !Character.isISOControl(c) && Character.isDefined(c) && Character.getType(c) != Character.SURROGATE;
    }

    private static String sanitizedByTheRule(String value, int max) {
        StringBuilder text = new StringBuilder();
        value.codePoints().map(c -> allowed(c) ? c : 0xFFFD).takeWhile(c -> text.length() + Character.charCount(c) <= max)
                .forEach(text::appendCodePoint);
        return text.toString();
    }
}
