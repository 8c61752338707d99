package io.fleetgate.sweep;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Bytes kept deflated when that saves a fifth or more. A sweep config repeats its keys, sources
 * and metadata per target: ten targets serialize to ~1.9 KB and deflate to ~0.8 KB, which is what
 * lets a 512 MiB gateway cache 100,000 agents' configs. Deflating costs microseconds, once per
 * build; inflating, once per full answer.
 */
public final class PackedBytes {

    /** Smaller than this, the bytes are kept as they are: the deflate stream's own cost would eat the gain. */
    private static final int WORTH_DEFLATING = 256;

    private final byte[] stored;
    /** The inflated size, or -1 when {@code stored} is the bytes themselves. */
    private final int rawSize;

    private PackedBytes(byte[] stored, int rawSize) {
        this.stored = stored;
        this.rawSize = rawSize;
    }

    public static PackedBytes of(byte[] raw) {
        if (raw.length >= WORTH_DEFLATING) {
            Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
            try {
                deflater.setInput(raw);
                deflater.finish();
                byte[] out = new byte[raw.length];
                int size = deflater.deflate(out);
                if (deflater.finished() && size <= raw.length * 4 / 5) {
                    return new PackedBytes(Arrays.copyOf(out, size), raw.length);
                }
            } finally {
                deflater.end();
            }
        }
        return new PackedBytes(raw, -1);
    }

    public ByteString bytes() {
        if (rawSize < 0) {
            return UnsafeByteOperations.unsafeWrap(stored); // never written to after construction
        }
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(stored);
            byte[] raw = new byte[rawSize];
            int size = inflater.inflate(raw);
            if (size != rawSize) {
                throw new IllegalStateException("packed bytes inflated to " + size + " bytes, not " + rawSize);
            }
            return UnsafeByteOperations.unsafeWrap(raw);
        } catch (DataFormatException e) {
            throw new IllegalStateException("packed bytes do not inflate", e);
        } finally {
            inflater.end();
        }
    }

    /** What is held on the heap for them. */
    public int storedSize() {
        return stored.length;
    }
}
