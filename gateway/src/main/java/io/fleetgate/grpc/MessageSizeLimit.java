package io.fleetgate.grpc;

import com.google.protobuf.MessageLite;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Enforces the configured message size per message, so every oversized message ends its call
 * with RESOURCE_EXHAUSTED. The transport's own limit is set higher ({@link #TRANSPORT_HEADROOM}
 * times): when grpc-java's transport rejects a message that is not the first of a stream, the
 * client sees CANCELLED instead (grpc-java issue 11245); past the transport limit that still
 * happens.
 */
final class MessageSizeLimit implements ServerInterceptor {

    static final int TRANSPORT_HEADROOM = 2;

    private final long limit;

    MessageSizeLimit(long limit) {
        this.limit = limit;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return new RefusingListener<>(call, next.startCall(call, headers), message ->
                message instanceof MessageLite proto && proto.getSerializedSize() > limit
                        ? Status.RESOURCE_EXHAUSTED.withDescription("message of " + proto.getSerializedSize()
                                + " bytes exceeds the limit of " + limit + " (FLEETGATE_GRPC_MAX_MESSAGE_SIZE)")
                        : null);
    }
}
