package io.fleetgate.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.AlphaChars;
import org.junit.jupiter.api.Test;

class AgentCursorTest {

    @Property
    void everyPositionRoundTrips(@ForAll long high, @ForAll long low,
                                 @ForAll @StringLength(min = 1, max = 200) @AlphaChars @NumericChars @Chars({'.', '_', ':', '@', '/', '-'}) String agent) {
        var position = new AgentQuery.Position(new UUID(high, low), agent);
        assertThat(AgentCursor.decode(AgentCursor.encode(position))).contains(position);
    }

    @Property
    void arbitraryTextNeverThrows(@ForAll @StringLength(max = 300) @CharRange(from = ' ', to = '~') String cursor) {
        AgentCursor.decode(cursor); // empty or a position, never an exception
    }

    @Test
    void forgedCursorsAreRefused() {
        assertThat(AgentCursor.decode("not base64 !")).isEmpty();
        assertThat(AgentCursor.decode(base64("no-colon"))).isEmpty();
        assertThat(AgentCursor.decode(base64("not-a-uuid:agent-1"))).isEmpty();
        assertThat(AgentCursor.decode(base64("1-1-1-1-1:agent-1"))).as("short UUID form").isEmpty();
        assertThat(AgentCursor.decode(base64(UUID.randomUUID() + ":"))).as("empty agent").isEmpty();
        assertThat(AgentCursor.decode(base64(UUID.randomUUID() + ":bad agent"))).isEmpty();
        assertThat(AgentCursor.decode(base64(UUID.randomUUID() + ":" + "a".repeat(201)))).isEmpty();
    }

    private static String base64(String text) {
        return Base64.getUrlEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
