package io.fleetgate.web;

import io.fleetgate.security.GatewayUser;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.web.reactive.result.view.CsrfRequestDataValueProcessor;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** What every page knows: the signed-in user, and the CSRF token its forms carry. */
@ControllerAdvice(basePackageClasses = UiModel.class)
class UiModel {

    @ModelAttribute("me")
    GatewayUser me(@AuthenticationPrincipal GatewayUser me) {
        return me;
    }

    @ModelAttribute("_csrf")
    Mono<CsrfToken> csrf(ServerWebExchange exchange) {
        Mono<CsrfToken> token = exchange.getAttribute(CsrfToken.class.getName());
        return token == null ? Mono.empty()
                : token.doOnNext(csrf -> exchange.getAttributes().put(CsrfRequestDataValueProcessor.DEFAULT_CSRF_ATTR_NAME, csrf));
    }
}
