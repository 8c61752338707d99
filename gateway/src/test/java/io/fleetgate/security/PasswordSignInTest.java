package io.fleetgate.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetgate.test.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import reactor.core.publisher.Mono;

class PasswordSignInTest {

    /** The hashes each password check ran against. */
    private final List<String> checkedHashes = new ArrayList<>();
    private final PasswordEncoder bcrypt = PasswordEncoderFactories.createDelegatingPasswordEncoder();
    private final String aliceHash = bcrypt.encode("alice-password");
    private final PasswordEncoder counting = new PasswordEncoder() {
        @Override
        public String encode(CharSequence raw) {
            return bcrypt.encode(raw);
        }

        @Override
        public boolean matches(CharSequence raw, String encoded) {
            checkedHashes.add(encoded);
            return bcrypt.matches(raw, encoded);
        }
    };
    private final ReactiveUserDetailsService users = name -> name.equals("alice")
            ? Mono.just((UserDetails) new GatewayUser(UUID.randomUUID(), "alice", aliceHash, Role.PLATFORM_ADMIN, null))
            : Mono.empty();
    private final PasswordSignIn signIn = new PasswordSignIn(users, counting,
            new LoginThrottle(new LoginProperties(2, 100, Duration.ofMinutes(15)), new MutableClock()));

    @Test
    void anUnknownUserCostsTheSameBcryptCheckAsAKnownOne() {
        assertThatThrownBy(() -> signIn.authenticate(attempt("mallory", "guess")).block()).isInstanceOf(BadCredentialsException.class);
        assertThatThrownBy(() -> signIn.authenticate(attempt("alice", "guess")).block()).isInstanceOf(BadCredentialsException.class);

        assertThat(checkedHashes).hasSize(2);
        assertThat(checkedHashes.get(0)).isNotEqualTo(aliceHash);
        // same algorithm and work factor: "{bcrypt}$2a$10$"
        assertThat(checkedHashes.get(0)).startsWith(aliceHash.substring(0, 15));
    }

    @Test
    void theRightPasswordSignsInWithoutKeepingTheHashInTheSession() {
        var signedIn = signIn.authenticate(attempt("alice", "alice-password")).block();
        assertThat(signedIn.isAuthenticated()).isTrue();
        assertThat(signedIn.getPrincipal()).isInstanceOf(GatewayUser.class);
        assertThat(signedIn.getCredentials()).isNull();
    }

    @Test
    void aThrottledAttemptIsRefusedBeforeAnyPasswordIsChecked() {
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> signIn.authenticate(attempt("alice", "guess")).block()).isInstanceOf(BadCredentialsException.class);
        }
        checkedHashes.clear();
        assertThatThrownBy(() -> signIn.authenticate(attempt("alice", "alice-password")).block())
                .isInstanceOfSatisfying(SignInThrottledException.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(1));
        assertThat(checkedHashes).isEmpty();
    }

    private static UsernamePasswordAuthenticationToken attempt(String username, String password) {
        return UsernamePasswordAuthenticationToken.unauthenticated(username, password);
    }
}
