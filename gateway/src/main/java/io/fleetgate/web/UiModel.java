package io.fleetgate.web;

import io.fleetgate.platform.BuildInfo;
import io.fleetgate.security.GatewayUser;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.web.reactive.result.view.CsrfRequestDataValueProcessor;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** What every page knows: the signed-in user, the CSRF token its forms carry, and the build (for the footer). */
@ControllerAdvice(basePackageClasses = UiModel.class)
class UiModel {

    private final ObjectProvider<BuildInfo> build;

    UiModel(ObjectProvider<BuildInfo> build) {
        this.build = build;
    }

    /** Absent in slices of the application that leave it out: the footer is then left out too. */
    @ModelAttribute("build")
    @Nullable BuildInfo build() {
        return build.getIfAvailable();
    }

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
