package io.fleetgate.web;

import io.fleetgate.error.GatewayException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.reactive.resource.NoResourceFoundException;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * A path nothing maps is a 404 page for browsers; API clients (anything not asking for HTML) keep
 * the problem details of every other API error.
 */
@ControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class NotFoundPage {

    private final UiErrors pages;

    NotFoundPage(UiErrors pages) {
        this.pages = pages;
    }

    @ExceptionHandler(value = NoResourceFoundException.class, produces = MediaType.TEXT_HTML_VALUE)
    Mono<Rendering> notFound(NoResourceFoundException e, ServerWebExchange exchange) {
        return pages.gateway(GatewayException.notFound("there is no page " + exchange.getRequest().getPath().value()), exchange);
    }
}
