package io.fleetgate.sweep;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The version of a config: a hash of its canonical content (deterministic protobuf encoding,
 * so map order does not matter), never of a time or a row id. Same content, same version, on
 * every replica and across restarts.
 */
public final class ConfigHash {

    private ConfigHash() {
    }

    public static String of(Message content) {
        try {
            byte[] bytes = new byte[content.getSerializedSize()];
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.useDeterministicSerialization();
            content.writeTo(out);
            out.checkNoSpaceLeft();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("serialising into an array of the exact size cannot fail", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
