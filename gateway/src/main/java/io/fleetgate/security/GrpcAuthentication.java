package io.fleetgate.security;

import io.fleetgate.error.GatewayException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Takes the bearer token out of the {@code authorization} metadata into the call's context. A
 * call without one is refused here with UNAUTHENTICATED; the token itself is checked by
 * {@link #caller()} at the start of each RPC's pipeline, without blocking.
 */
@Component
public class GrpcAuthentication implements ServerInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> TOKEN = Context.key("fleetgate.token");
    private static final String BEARER = "bearer ";

    private final CredentialService credentials;

    public GrpcAuthentication(CredentialService credentials) {
        this.credentials = credentials;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String header = headers.get(AUTHORIZATION);
        if (header == null || header.length() <= BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            call.close(Status.UNAUTHENTICATED.withDescription("missing 'authorization: Bearer <token>' metadata"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        Context context = Context.current().withValue(TOKEN, header.substring(BEARER.length()).trim());
        return Contexts.interceptCall(context, call, headers, next);
    }

    /**
     * The caller of the current call. Must be called on the thread that invoked the RPC method
     * (where the gRPC context is current); the returned Mono may run anywhere.
     */
    public Mono<Caller> caller() {
        String token = TOKEN.get();
        if (token == null) {
            return Mono.error(GatewayException.unauthenticated("no credential"));
        }
        return credentials.authenticate(token);
    }

    /** The caller of the current call if memory knows its credential; null when {@link #caller()} must look further. */
    public @Nullable Caller cachedCaller() {
        String token = TOKEN.get();
        return token == null ? null : credentials.cached(token);
    }
}
