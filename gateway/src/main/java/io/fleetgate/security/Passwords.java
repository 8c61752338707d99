package io.fleetgate.security;

import java.security.SecureRandom;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Password hashing (bcrypt), off the event loop: it is deliberately slow. */
@Component
public class Passwords {

    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * bcrypt runs here, on threads of its own: a burst of sign-ins or user creations queues behind
     * itself instead of taking every thread of the shared boundedElastic scheduler, on which the
     * framework creates CSRF tokens (a sign-in page waited for one for 30 s while it was full).
     */
    static final Scheduler HASHING = Schedulers.newBoundedElastic(Math.max(2, Runtime.getRuntime().availableProcessors()),
            10_000, "password-hashing", 60, true);

    private final PasswordEncoder encoder;

    public Passwords(PasswordEncoder encoder) {
        this.encoder = encoder;
    }

    public Mono<String> hash(String password) {
        return Mono.fromCallable(() -> encoder.encode(password)).subscribeOn(HASHING);
    }

    /** A random password of 20 unambiguous characters (~115 bits). */
    public static String generate() {
        StringBuilder password = new StringBuilder(20);
        for (int i = 0; i < 20; i++) {
            password.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return password.toString();
    }
}
