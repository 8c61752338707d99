package io.fleetgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.GatewayTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * One keep-alive connection, each request sent the moment the previous answer is read, as
 * browsers and the test clients do. Reactor Netty 1.3.7 can lose the connection's read when a
 * request arrives before the previous one's operations have terminated (reactor-netty#4361,
 * #4347; see {@link KeepAliveReads}): the request then waits until the client gives up. The race
 * is rare (CI saw it once in a few thousand requests); the first test drives many requests through
 * one connection, the second checks that the setting which avoids it is the one Reactor Netty uses.
 */
class KeepAliveTest extends GatewayTest {

    @Test
    void aKeepAliveConnectionAnswersEveryRequestSentRightAfterTheLastAnswer() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", httpPort)) {
            socket.setSoTimeout(5_000);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            String[] paths = {"/login", "/css/fleetgate.css", "/actuator/health", "/js/live.js"};
            for (int i = 0; i < 4_000; i++) {
                String path = paths[i % paths.length];
                out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                try {
                    assertThat(readResponse(in)).as("request %d, %s", i, path).startsWith("HTTP/1.1 200");
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("request " + i + " (" + path + ") unanswered for 5 s on a keep-alive connection", e);
                }
            }
        }
    }

    @Test
    void theServerFlushesItsLastWriteWhenNoReadIsPendingTheSettingThatAvoidsTheLostRead() throws Exception {
        var setting = Class.forName("reactor.netty.http.server.HttpTrafficHandler").getDeclaredField("LAST_FLUSH_WHEN_NO_READ");
        setting.setAccessible(true);
        assertThat(setting.getBoolean(null)).as("read by Reactor Netty before the setting was made").isTrue();
    }

    /** The status line and headers of one response; its body is read and dropped. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head);
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        String lower = headers.toLowerCase(Locale.ROOT);
        int length = lower.indexOf("\r\ncontent-length:");
        if (length >= 0) {
            int end = lower.indexOf("\r\n", length + 2);
            in.readNBytes(Integer.parseInt(headers.substring(length + 17, end).strip()));
        } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
            while (true) {
                int size = Integer.parseInt(line(in).split(";")[0].strip(), 16);
                in.readNBytes(size);
                line(in);
                if (size == 0) {
                    break;
                }
            }
        }
        return headers;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed mid-chunk");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
