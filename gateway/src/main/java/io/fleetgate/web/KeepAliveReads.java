package io.fleetgate.web;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.http.server.HttpServer;

/**
 * Reactor Netty 1.3.7 can stop reading a keep-alive connection when a request arrives before the
 * previous request's operations have terminated (reactor-netty#4361, #4347; fixed after 1.3.7,
 * which is the newest this build resolves): that request is read only when the client gives up
 * and closes the connection. CI saw it as a sign-in page that took 30 s. Flushing the last write
 * of a response when no read is pending ({@code reactor.netty.http.server.lastFlushWhenNoRead})
 * takes that path away. Reactor Netty reads the property once, as the server's first connection
 * is set up, so it is set here, while the HTTP server is being built; an explicit setting wins.
 */
@Component
class KeepAliveReads implements NettyServerCustomizer {

    static final String PROPERTY = "reactor.netty.http.server.lastFlushWhenNoRead";

    static {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "true");
        }
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server;
    }
}
