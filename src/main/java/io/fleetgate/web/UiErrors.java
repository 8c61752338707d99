package io.fleetgate.web;

import io.fleetgate.error.GatewayException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.reactive.result.view.Rendering;
import reactor.core.publisher.Mono;

/** Failures of UI pages become an error page with the right status, never a stack trace. */
@ControllerAdvice(basePackageClasses = UiErrors.class)
class UiErrors {

    @ExceptionHandler(GatewayException.class)
    Mono<Rendering> gateway(GatewayException e) {
        HttpStatus status = switch (e.reason()) {
            case PERMISSION_DENIED, UNAUTHENTICATED -> HttpStatus.FORBIDDEN;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            default -> HttpStatus.BAD_REQUEST;
        };
        return Mono.just(page(status, e.getMessage()));
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
