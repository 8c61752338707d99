package io.fleetgate.integration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Encrypts integration source credentials at rest with AES-256-GCM. The key comes from
 * FLEETGATE_CREDENTIALS_KEY (base64 of 32 bytes); without it, one is generated once into the
 * data folder (fine for one gateway; replicas must share the configured key). The source id is
 * authenticated data, so a ciphertext copied onto another source does not decrypt.
 */
@Component
public class CredentialCipher {

    private static final Logger log = LoggerFactory.getLogger(CredentialCipher.class);
    private static final byte FORMAT = 1;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    @Autowired
    public CredentialCipher(@Value("${fleetgate.credentials.key:}") String configuredKey,
                            @Value("${fleetgate.database.data-dir:./data}") String dataDir) {
        this(configuredKey.isBlank() ? keyFile(Path.of(dataDir, "credentials.key")) : decode(configuredKey));
    }

    CredentialCipher(byte[] key) {
        if (key.length != 32) {
            throw new IllegalStateException("FLEETGATE_CREDENTIALS_KEY must be the base64 of 32 bytes, got " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    public byte[] encrypt(String plaintext, UUID sourceId) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad(sourceId));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(1 + IV_BYTES + sealed.length).put(FORMAT).put(iv).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JRE", e);
        }
    }

    public String decrypt(byte[] stored, UUID sourceId) {
        if (stored.length < 1 + IV_BYTES || stored[0] != FORMAT) {
            throw new IllegalStateException("credentials of source " + sourceId + " are not in a known format");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 1, IV_BYTES));
            cipher.updateAAD(aad(sourceId));
            return new String(cipher.doFinal(stored, 1 + IV_BYTES, stored.length - 1 - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("credentials of source " + sourceId + " do not decrypt with the configured key", e);
        }
    }

    private static byte[] aad(UUID sourceId) {
        return ByteBuffer.allocate(16).putLong(sourceId.getMostSignificantBits()).putLong(sourceId.getLeastSignificantBits()).array();
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("FLEETGATE_CREDENTIALS_KEY is not base64", e);
        }
    }

    private static byte[] keyFile(Path file) {
        try {
            if (Files.exists(file)) {
                return decode(Files.readString(file));
            }
            Files.createDirectories(file.getParent());
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.writeString(file, Base64.getEncoder().encodeToString(key));
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // best effort on non-POSIX file systems
            }
            log.warn("FLEETGATE_CREDENTIALS_KEY is not set: generated a key for integration credentials in {}. "
                    + "Replicas sharing a database must all be given the same key.", file.toAbsolutePath());
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the credentials key " + file, e);
        }
    }
}
