package io.fleetgate.web;

import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * A body over the codecs' buffer limit (256 KB for forms, read by the CSRF filter before any
 * controller) is the client's error: 413 through the usual error handling, a page for browsers and
 * problem details for API clients, not a 500.
 */
@Component
@Order(-2) // before Spring Boot's error handler (-1), which then renders the 413
class TooLargeRequests implements WebExceptionHandler {

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof DataBufferLimitException tooLarge) {
                return Mono.error(new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE, "request body too large: " + tooLarge.getMessage()));
            }
        }
        return Mono.error(error);
    }
}
