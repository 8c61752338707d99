package io.fleetgate.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.net.IpAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class DeviceCursorTest {

    @Property
    void everyPositionRoundTrips(@ForAll long a, @ForAll long b, @ForAll long c, @ForAll long d, @ForAll boolean byAddress,
                                 @ForAll boolean v6, @ForAll long hi, @ForAll long lo) {
        IpAddress ip = !byAddress ? null : v6 ? new IpAddress(true, hi, lo) : IpAddress.v4(lo);
        var position = new DeviceCursor.Position(new UUID(a, b), new UUID(c, d), ip);
        assertThat(DeviceCursor.decode(DeviceCursor.encode(position))).contains(position);
    }

    @Property
    void arbitraryTextNeverThrows(@ForAll @StringLength(max = 300) @CharRange(from = ' ', to = '~') String cursor) {
        DeviceCursor.decode(cursor); // empty or a position, never an exception
        DeviceCursor.decode(base64(cursor));
    }

    @Test
    void forgedCursorsAreRefused() {
        UUID t = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        assertThat(DeviceCursor.decode("not base64 !")).isEmpty();
        assertThat(DeviceCursor.decode(base64("c:" + t + ":" + c))).isPresent();
        assertThat(DeviceCursor.decode(base64("x:" + t + ":" + c))).as("unknown order").isEmpty();
        assertThat(DeviceCursor.decode(base64("c:" + t + ":" + c + ":127.0.0.1"))).as("an IP in canonical order").isEmpty();
        assertThat(DeviceCursor.decode(base64("i:" + t + ":" + c))).as("no IP in IP order").isEmpty();
        assertThat(DeviceCursor.decode(base64("i:" + t + ":" + c + ":127.0.0.01"))).as("not the canonical text").isEmpty();
        assertThat(DeviceCursor.decode(base64("i:" + t + ":" + c + ":2001:DB8::1"))).as("not the canonical text").isEmpty();
        assertThat(DeviceCursor.decode(base64("i:" + t + ":" + c + ":2001:db8::1"))).isPresent();
        assertThat(DeviceCursor.decode(base64("c:" + t + ":" + c.toString().toUpperCase()))).as("not the canonical UUID").isEmpty();
        assertThat(DeviceCursor.decode(base64("c:1-1-1-1-1:" + c))).isEmpty();
    }

    private static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
