package io.fleetgate.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RawDataTest {

    private static RawData.Inspection inspect(String json) {
        return RawData.inspect(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void portsComeFromTheTopLevelPortsArrayAndServices() {
        var inspection = inspect("""
                {"name":"printer","ports":[631, 80, 99999],"services":[{"name":"ssh","port":22},{"port":443,"tls":{"port":1}}],
                 "nested":{"ports":[8080]}}""");
        assertThat(inspection.valid()).isTrue();
        assertThat(inspection.ports()).containsExactly(22, 80, 443, 631);
    }

    @Test
    void onlyAJsonObjectWillDo() {
        assertThat(inspect("[1,2]").problem()).contains("JSON object");
        assertThat(inspect("\"text\"").problem()).contains("JSON object");
        assertThat(inspect("{\"a\":").problem()).isNotNull();
        assertThat(inspect("{\"a\":1} {}").problem()).contains("after its JSON object");
        assertThat(inspect("{\"a\":\"\\u0000\"}").problem()).contains("NUL");
        assertThat(inspect("{\"a\":1".replace("1", "[".repeat(100) + "]".repeat(100)) + "}").problem()).contains("nested deeper");
        assertThat(inspect("{}").valid()).isTrue();
    }

    @Test
    void aNulIsFoundRawOrEscapedAnywhereButNotInAnEscapedBackslash() {
        assertThat(inspect("{\"a\\u0000b\":1}").problem()).contains("NUL"); // in a property name
        assertThat(inspect("{\"a\":[\"x\\u0000\"]}").problem()).contains("NUL");
        assertThat(inspect("{\"a\":\"\\\\\\u0000\"}").problem()).contains("NUL"); // escaped backslash, then the escape
        assertThat(inspect("{\"a\":\"\\\\u0000\"}").valid()).isTrue(); // an escaped backslash, then the text u0000
        assertThat(inspect("{\"a\":\"\\u00001\"}").problem()).contains("NUL");
        assertThat(inspect("{\"a\":\"\\u0001\"}").valid()).isTrue();
        assertThat(RawData.escapeProblem(new byte[] {'{', 0, '}'})).isEqualTo(RawData.NUL);
    }

    @Test
    void whatJsonbRefusesIsRefusedHereThoughJacksonReadsIt() {
        assertThat(inspect("\uFEFF{\"a\":1}").problem()).contains("byte order mark");
        assertThat(inspect("{\"n\":\"\\ud83d\"}").problem()).contains("unpaired surrogate");
        assertThat(inspect("{\"n\":\"\\ude00\"}").problem()).contains("unpaired surrogate");
        assertThat(inspect("{\"n\":\"\\ud83dx\"}").problem()).contains("unpaired surrogate");
        assertThat(inspect("{\"n\":\"\\ud83d\\u0041\"}").problem()).contains("unpaired surrogate");
        assertThat(inspect("{\"n\":\"\\ud83d\\\\\"}").problem()).contains("unpaired surrogate");
        assertThat(inspect("{\"n\":\"\\ud83d\\ude00\"}").valid()).isTrue();
        assertThat(inspect("{\"n\":\"\\uD83D\\uDE00 \\uFFFF\"}").valid()).isTrue();
        assertThat(inspect("{\"x\":1e1000000}").problem()).contains("number jsonb cannot store");
        assertThat(inspect("{\"x\":[1.5e-16383]}").problem()).contains("after the decimal point");
        assertThat(inspect("{\"x\":1e-16383,\"y\":9.99e131071,\"z\":0e999999}").valid()).isTrue();
    }
}
