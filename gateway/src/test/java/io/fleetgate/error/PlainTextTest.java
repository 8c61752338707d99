package io.fleetgate.error;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlainTextTest {

    @Test
    void sanitizedTextReplacesWhatLogsAndPagesCannotShowAndStopsAtTheBound() {
        assertThat(PlainText.sanitized("ok\u0000\u0007 fine", 100)).isEqualTo("ok\uFFFD\uFFFD fine");
        assertThat(PlainText.sanitized("x".repeat(5000), 1000)).hasSize(1000);
        assertThat(PlainText.sanitized("a\uD83D\uDE00", 2)).as("never half a character").isEqualTo("a");
        assertThat(PlainText.sanitized("lone \uD83D surrogate", 100)).isEqualTo("lone \uFFFD surrogate");
    }
}
