package io.fleetgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokensTest {

    @Test
    void tokensCarryTheirKindAnd256RandomBits() {
        Set<String> seen = new HashSet<>();
        for (CredentialKind kind : CredentialKind.values()) {
            for (int i = 0; i < 1000; i++) {
                String token = Tokens.generate(kind);
                assertThat(token).startsWith(kind.tokenPrefix()).hasSize(kind.tokenPrefix().length() + 43);
                assertThat(Tokens.plausible(token)).isTrue();
                assertThat(seen.add(token)).isTrue();
            }
        }
    }

    @Test
    void hashIsStableAndDiffersPerToken() {
        String token = Tokens.generate(CredentialKind.AGENT_ENROLLMENT);
        assertThat(Tokens.hash(token)).isEqualTo(Tokens.hash(token)).hasSize(32);
        assertThat(Tokens.hash(token)).isNotEqualTo(Tokens.hash(token + "x"));
    }

    @Test
    void implausibleTokensAreRejectedBeforeAnyLookup() {
        assertThat(Tokens.plausible(null)).isFalse();
        assertThat(Tokens.plausible("short")).isFalse();
        assertThat(Tokens.plausible("fga_" + "x".repeat(300))).isFalse();
        assertThat(Tokens.plausible("fga_with space inside-0000000")).isFalse();
        assertThat(Tokens.plausible("fga_ünïcödé-0000000000000000")).isFalse();
    }

    @Test
    void displayPrefixNeverRevealsTheSecretPart() {
        String token = Tokens.generate(CredentialKind.SYNC_SERVICE);
        assertThat(Tokens.displayPrefix(token)).hasSize(10);
        assertThat(token.length() - Tokens.displayPrefix(token).length()).isGreaterThanOrEqualTo(37);
    }
}
