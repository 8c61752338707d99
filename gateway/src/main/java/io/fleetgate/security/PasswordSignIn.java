package io.fleetgate.security;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * User name and password sign-in for HTTP Basic and the login form alike. An unknown user name costs
 * the same bcrypt work as a known one (checked against a hash of a random password), so timing does
 * not tell which names exist; and after repeated failures the {@link LoginThrottle} refuses before any
 * password is checked.
 */
final class PasswordSignIn implements ReactiveAuthenticationManager {

    private static final String CLIENT_ADDRESS = PasswordSignIn.class.getName() + ".clientAddress";

    private final ReactiveUserDetailsService users;
    private final PasswordEncoder encoder;
    private final LoginThrottle throttle;
    private final String unknownUserHash;

    PasswordSignIn(ReactiveUserDetailsService users, PasswordEncoder encoder, LoginThrottle throttle) {
        this.users = users;
        this.encoder = encoder;
        this.throttle = throttle;
        this.unknownUserHash = encoder.encode(Passwords.generate());
    }

    /** The request's client address, for the authentication further down the filter chain to read. */
    static Context clientAddress(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        String address = remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress();
        return Context.of(CLIENT_ADDRESS, address);
    }

    @Override
    public Mono<Authentication> authenticate(Authentication attempt) {
        String username = attempt.getName();
        String password = String.valueOf(attempt.getCredentials());
        return Mono.deferContextual(context -> {
            String address = address(context);
            Duration wait = throttle.waitBefore(username, address);
            if (!wait.isZero()) {
                return Mono.error(new SignInThrottledException(wait));
            }
            return users.findByUsername(username)
                    .map(Optional::of)
                    .defaultIfEmpty(Optional.empty())
                    .publishOn(Passwords.HASHING)
                    .map(user -> passwordMatches(user, password) ? user : Optional.<UserDetails>empty())
                    .flatMap(user -> user.map(found -> signedIn(username, found))
                            .orElseGet(() -> refused(username, address)));
        });
    }

    /** One bcrypt check either way: against a throw-away hash (never matching) when the user does not exist. */
    private boolean passwordMatches(Optional<UserDetails> user, String password) {
        boolean matches = encoder.matches(password, user.map(UserDetails::getPassword).orElse(unknownUserHash));
        return matches && user.isPresent();
    }

    private Mono<Authentication> signedIn(String username, UserDetails user) {
        throttle.succeeded(username);
        return Mono.just(UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities()));
    }

    private Mono<Authentication> refused(String username, String address) {
        throttle.failed(username, address);
        return Mono.error(new BadCredentialsException("Invalid Credentials"));
    }

    private static String address(ContextView context) {
        return context.getOrDefault(CLIENT_ADDRESS, "unknown");
    }
}
