package io.fleetgate.security;

import io.fleetgate.error.Problems;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.server.DelegatingServerAuthenticationEntryPoint;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.RedirectServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.RedirectServerAuthenticationFailureHandler;
import org.springframework.security.web.server.authentication.ServerAuthenticationFailureHandler;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.csrf.CsrfWebFilter;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Who may reach what over HTTP: health and metrics are open; the REST API takes HTTP Basic (or
 * the UI session) and answers 401/403 as problem details; the UI uses form login. Both sign-ins
 * go through {@link PasswordSignIn}: throttled, and as slow for unknown users as for known ones.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class WebSecurityConfiguration {

    private static final ServerWebExchangeMatcher API = ServerWebExchangeMatchers.pathMatchers("/api/**");
    /** The UI loads its scripts, styles and live events from its own origin only; nothing may frame it. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    LoginThrottle loginThrottle(LoginProperties properties, Clock clock) {
        return new LoginThrottle(properties, clock);
    }

    @Bean
    SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ReactiveUserDetailsService users,
            PasswordEncoder encoder, LoginThrottle throttle) {
        ReactiveAuthenticationManager signIn = new PasswordSignIn(users, encoder, throttle);
        ServerAuthenticationEntryPoint apiEntryPoint = (exchange, denied) -> {
            if (denied instanceof SignInThrottledException throttled) {
                exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(throttled.retryAfterSeconds()));
                return Problems.write(exchange, HttpStatus.TOO_MANY_REQUESTS, throttled.getMessage());
            }
            exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"fleetgate\"");
            return Problems.write(exchange, HttpStatus.UNAUTHORIZED, "authentication required (HTTP Basic)");
        };
        DelegatingServerAuthenticationEntryPoint entryPoint = new DelegatingServerAuthenticationEntryPoint(
                new DelegatingServerAuthenticationEntryPoint.DelegateEntry(API, apiEntryPoint));
        entryPoint.setDefaultEntryPoint(new RedirectServerAuthenticationEntryPoint("/login"));
        ServerAccessDeniedHandler denied = (exchange, error) -> Problems.write(exchange, HttpStatus.FORBIDDEN,
                "you may not do this");

        return http
                .addFilterAt((exchange, chain) -> chain.filter(exchange).contextWrite(PasswordSignIn.clientAddress(exchange)),
                        SecurityWebFiltersOrder.FIRST)
                .authenticationManager(signIn)
                .authorizeExchange(exchanges -> exchanges
                        .pathMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus", "/actuator/info").permitAll()
                        // the API's description holds no data: client generators fetch it without credentials
                        .pathMatchers(HttpMethod.GET, "/api/v1/openapi.json").permitAll()
                        .pathMatchers("/login", "/css/**", "/js/**", "/favicon.ico", "/error").permitAll()
                        // pages for platform admins only render their own 403 page for others
                        .anyExchange().authenticated())
                .httpBasic(basic -> basic.authenticationEntryPoint(apiEntryPoint))
                .formLogin(form -> form.loginPage("/login").authenticationFailureHandler(formLoginFailure()))
                .exceptionHandling(handling -> handling.authenticationEntryPoint(entryPoint).accessDeniedHandler(denied))
                // Requests authenticated by HTTP Basic carry no session to forge; everything else (any other
                // Authorization header beside a session cookie included) needs a CSRF token.
                .csrf(csrf -> csrf.requireCsrfProtectionMatcher(exchange -> basicAuthenticated(exchange)
                        ? ServerWebExchangeMatcher.MatchResult.notMatch()
                        : CsrfWebFilter.DEFAULT_CSRF_MATCHER.matches(exchange)))
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY)))
                .build();
    }

    /** A wrong password goes back to the form; a throttled sign-in gets 429 and a page saying how long to wait. */
    private static ServerAuthenticationFailureHandler formLoginFailure() {
        ServerAuthenticationFailureHandler wrongPassword = new RedirectServerAuthenticationFailureHandler("/login?error");
        return (filterExchange, error) -> {
            if (!(error instanceof SignInThrottledException throttled)) {
                return wrongPassword.onAuthenticationFailure(filterExchange, error);
            }
            var response = filterExchange.getExchange().getResponse();
            response.setStatusCode(HttpStatus.TOO_MANY_REQUESTS);
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(throttled.retryAfterSeconds()));
            response.getHeaders().setContentType(MediaType.TEXT_HTML);
            String page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Fleetgate: too many sign-ins</title>"
                    + "</head><body><p>Too many failed sign-ins. Try again in " + throttled.retryAfterSeconds()
                    + " seconds.</p><p><a href=\"/login\">Back to sign-in</a></p></body></html>";
            return response.writeWith(Mono.just(response.bufferFactory().wrap(page.getBytes(StandardCharsets.UTF_8))));
        };
    }

    /**
     * Whether the request authenticates with HTTP Basic: a Basic header that does not hold valid
     * credentials is answered 401 by the Basic filter, never served from the session.
     */
    private static boolean basicAuthenticated(ServerWebExchange exchange) {
        String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        return authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
    }

}
