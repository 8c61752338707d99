package io.fleetgate.grpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.function.Function;

/**
 * Forwards a call's messages to its handler until {@code refusal} names a status for one: then the
 * call is closed with that status and nothing more reaches the handler.
 */
final class RefusingListener<Q> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {

    private final ServerCall<Q, ?> call;
    private final Function<Q, Status> refusal;
    private boolean closed;

    RefusingListener(ServerCall<Q, ?> call, ServerCall.Listener<Q> next, Function<Q, Status> refusal) {
        super(next);
        this.call = call;
        this.refusal = refusal;
    }

    @Override
    public void onMessage(Q message) {
        if (closed) {
            return;
        }
        Status refused = refusal.apply(message);
        if (refused != null) {
            closed = true;
            call.close(refused, new Metadata());
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
}
