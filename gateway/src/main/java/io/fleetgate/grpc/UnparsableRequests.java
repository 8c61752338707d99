package io.fleetgate.grpc;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request that is not a valid protobuf message is the client's error: INVALID_ARGUMENT, and at
 * most one log line a minute. grpc-java parses requests before any interceptor sees them and
 * answers a parse failure UNKNOWN "Application error processing RPC" with a stack trace per call,
 * so each service's request marshaller is wrapped: a message that cannot be parsed becomes a
 * marked empty message, and {@link #interceptor()} ends the call on seeing the mark.
 */
final class UnparsableRequests {

    private static final Logger log = LoggerFactory.getLogger(UnparsableRequests.class);
    /** The highest field number protobuf allows: no message of ours uses it. */
    private static final int MARK = 536_870_911;
    private static final Duration LOG_EVERY = Duration.ofMinutes(1);
    private static final AtomicLong lastLogged = new AtomicLong(Long.MIN_VALUE / 2);
    private static final AtomicLong refused = new AtomicLong();

    private UnparsableRequests() {
    }

    /** The service with request marshallers that never throw on a malformed message. */
    static ServerServiceDefinition tolerate(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            ServerMethodDefinition<?, ?> tolerant = tolerant(method);
            methods.add(tolerant);
            descriptor.addMethod(tolerant.getMethodDescriptor());
        }
        ServerServiceDefinition.Builder rebuilt = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(rebuilt::addMethod);
        return rebuilt.build();
    }

    private static <Q, R> ServerMethodDefinition<Q, R> tolerant(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> original = method.getMethodDescriptor();
        if (!(original.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> prototype)
                || !(prototype.getMessagePrototype() instanceof Message)) {
            return method;
        }
        MethodDescriptor<Q, R> descriptor = original.toBuilder().setRequestMarshaller(new Tolerant<>(prototype)).build();
        return ServerMethodDefinition.create(descriptor, method.getServerCallHandler());
    }

    private record Tolerant<Q>(MethodDescriptor.PrototypeMarshaller<Q> delegate) implements MethodDescriptor.PrototypeMarshaller<Q> {

        @Override
        public InputStream stream(Q value) {
            return delegate.stream(value);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Q parse(InputStream stream) {
            try {
                return delegate.parse(stream);
            } catch (RuntimeException malformed) {
                Message prototype = (Message) delegate.getMessagePrototype();
                return (Q) prototype.toBuilder().clear().setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(MARK, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build()).build();
            }
        }

        @Override
        public Q getMessagePrototype() {
            return delegate.getMessagePrototype();
        }

        @Override
        public Class<Q> getMessageClass() {
            return delegate.getMessageClass();
        }
    }

    private static boolean marked(Object message) {
        return message instanceof Message proto && proto.getUnknownFields().hasField(MARK);
    }

    /** Ends a call whose request could not be parsed with INVALID_ARGUMENT, before any handler sees it. */
    static ServerInterceptor interceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                return new RefusingListener<>(call, next.startCall(call, headers), message -> {
                    if (!marked(message)) {
                        return null;
                    }
                    logRateLimited(call.getMethodDescriptor().getFullMethodName());
                    return Status.INVALID_ARGUMENT.withDescription("the request is not a valid "
                            + ((Message) message).getDescriptorForType().getFullName() + " message");
                });
            }
        };
    }

    private static void logRateLimited(String method) {
        long count = refused.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last >= LOG_EVERY.toNanos() && lastLogged.compareAndSet(last, now)) {
            log.warn("Refused a request to {} that is not a valid protobuf message ({} such so far; logged at most once a minute)",
                    method, count);
        }
    }
}
