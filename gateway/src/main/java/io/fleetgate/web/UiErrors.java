package io.fleetgate.web;

import io.fleetgate.error.GatewayException;
import io.fleetgate.security.GatewayUser;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Mono;

/** Failures of UI pages become an error page with the right status, never a stack trace. */
@ControllerAdvice(basePackageClasses = UiErrors.class)
@Order(Ordered.HIGHEST_PRECEDENCE) // before the application-wide problem details, which answer JSON
class UiErrors {

    /**
     * The error page in the layout of every page. An exception handler gets a model of its own, without
     * what {@link UiModel} adds, so the signed-in user is looked up again here.
     */
    @ExceptionHandler(GatewayException.class)
    Mono<Rendering> gateway(GatewayException e, ServerWebExchange exchange) {
        HttpStatus status = switch (e.reason()) {
            case PERMISSION_DENIED, UNAUTHENTICATED -> HttpStatus.FORBIDDEN;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case ALREADY_EXISTS, CONFLICT -> HttpStatus.CONFLICT;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            default -> HttpStatus.BAD_REQUEST;
        };
        return exchange.getPrincipal()
                .filter(Authentication.class::isInstance)
                .map(principal -> ((Authentication) principal).getPrincipal())
                .filter(GatewayUser.class::isInstance)
                .map(me -> Rendering.view("error/page").status(status)
                        .modelAttribute("status", status.value())
                        .modelAttribute("statusText", status.getReasonPhrase())
                        .modelAttribute("message", e.getMessage())
                        .modelAttribute("me", me)
                        .build())
                .defaultIfEmpty(page(status, e.getMessage()));
    }

    /** A missing or malformed parameter (no {@code ?tenant=}, a tenant id that is not a UUID, …): 400, as a page. */
    @ExceptionHandler(ServerWebInputException.class)
    Mono<Rendering> input(ServerWebInputException e, ServerWebExchange exchange) {
        String reason = e.getReason() == null || e.getReason().isBlank() ? "malformed request" : e.getReason();
        return gateway(GatewayException.invalid("request", reason), exchange);
    }

    static Rendering page(HttpStatus status, String message) {
        return Rendering.view("error/page").status(status)
                .modelAttribute("status", status.value())
                .modelAttribute("statusText", status.getReasonPhrase())
                .modelAttribute("message", message)
                .build();
    }

    static Rendering forbidden() {
        return page(HttpStatus.FORBIDDEN, "Only platform administrators manage sync services.");
    }
}
