package io.fleetgate.grpc;

import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCallListener;
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
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean closed;

            @Override
            public void onMessage(Q message) {
                if (closed) {
                    return;
                }
                if (message instanceof MessageLite proto && proto.getSerializedSize() > limit) {
                    closed = true;
                    call.close(Status.RESOURCE_EXHAUSTED.withDescription("message of " + proto.getSerializedSize()
                            + " bytes exceeds the limit of " + limit + " (FLEETGATE_GRPC_MAX_MESSAGE_SIZE)"), new Metadata());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!closed) {
                    super.onHalfClose();
                }
            }
        };
    }
}
