package io.fleetgate.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Bearer tokens: a kind prefix and 256 random bits, base64url. Only {@link #hash} is stored;
 * the token itself is shown once.
 */
public final class Tokens {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int RANDOM_BYTES = 32;
    private static final int MAX_LENGTH = 200;
    /** One digest per thread (digest() resets it): every gRPC call hashes its token, and looking SHA-256 up costs about as much as hashing one. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    });

    private Tokens() {
    }

    /** A fresh token of that kind. */
    public static String generate(CredentialKind kind) {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return kind.tokenPrefix() + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether a presented string can be a token at all (checked before any lookup). */
    public static boolean plausible(String token) {
        if (token == null || token.length() < 16 || token.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }

    public static byte[] hash(String token) {
        return SHA_256.get().digest(token.getBytes(StandardCharsets.UTF_8));
    }

    /** The part of a token that may appear in logs and the UI. */
    public static String displayPrefix(String token) {
        return token.substring(0, Math.min(token.length(), 10));
    }
}
