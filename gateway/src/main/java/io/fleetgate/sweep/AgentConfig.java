package io.fleetgate.sweep;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.fleetgate.proto.SweepConfig;
import java.time.Instant;

/**
 * An agent's current sweep config: immutable, versioned by its content, and held as the bytes it
 * is sent as, deflated ({@link PackedBytes}). A cached config of ten targets is then about a
 * kilobyte of heap, not the ~10 KB of its message objects, and a full GetConfig answer writes the
 * bytes as they are.
 */
public record AgentConfig(String version, Instant builtAt, PackedBytes packed, int targets, int targetsBeforeCut, boolean truncated) {

    /** Heap an entry costs beside its bytes: the record, its version string, the cache's map entry and key. */
    private static final int OVERHEAD_BYTES = 320;

    public static AgentConfig of(String version, Instant builtAt, SweepConfig sweep, int targetsBeforeCut) {
        return new AgentConfig(version, builtAt, PackedBytes.of(sweep.toByteArray()), sweep.getDeviceTargetsCount(), targetsBeforeCut,
                sweep.getTruncated());
    }

    /** The serialized {@code SweepConfig}. */
    public ByteString sweepBytes() {
        return packed.bytes();
    }

    /** The config as a message, parsed again from its bytes (for pages and checks, not for GetConfig). */
    public SweepConfig sweep() {
        try {
            return SweepConfig.parseFrom(sweepBytes());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a cached sweep config does not parse", e);
        }
    }

    /** About what this config holds on the heap, for the cache's byte budget. */
    long weight() {
        return OVERHEAD_BYTES + packed.storedSize();
    }
}
