package io.fleetgate.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CredentialCipherTest {

    private final CredentialCipher cipher = new CredentialCipher(new byte[32]);
    private final UUID source = UUID.randomUUID();

    @Test
    void roundTripsAndNeverStoresThePlaintext() {
        String secret = "{\"api_token\":\"super-secret-value\"}";
        byte[] sealed = cipher.encrypt(secret, source);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("super-secret-value");
        assertThat(cipher.decrypt(sealed, source)).isEqualTo(secret);
        assertThat(cipher.encrypt(secret, source)).isNotEqualTo(sealed); // a fresh IV every time
    }

    @Test
    void ciphertextIsBoundToItsSourceAndKey() {
        byte[] sealed = cipher.encrypt("secret", source);
        assertThatThrownBy(() -> cipher.decrypt(sealed, UUID.randomUUID())).hasMessageContaining("do not decrypt");
        byte[] otherKey = new byte[32];
        otherKey[0] = 1;
        assertThatThrownBy(() -> new CredentialCipher(otherKey).decrypt(sealed, source)).hasMessageContaining("do not decrypt");
        sealed[sealed.length - 1] ^= 1;
        assertThatThrownBy(() -> cipher.decrypt(sealed, source)).hasMessageContaining("do not decrypt");
    }

    @Test
    void keysMustBe32Bytes() {
        assertThatThrownBy(() -> new CredentialCipher(new byte[16])).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> new CredentialCipher("not base64!", "/tmp")).hasMessageContaining("base64");
    }
}
