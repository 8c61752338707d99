package io.fleetgate.error;

/**
 * A failure the caller should see as it is: gRPC maps {@link Reason} to a status code
 * ({@code grpc.GrpcErrors}), HTTP to a problem-details status ({@code web.ApiExceptionHandler}).
 */
public class GatewayException extends RuntimeException {

    /** What went wrong, in the terms of both APIs. */
    public enum Reason {
        UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS,
        /** The request is well formed but does not fit the state it would change. */
        CONFLICT,
        RESOURCE_EXHAUSTED, UNAVAILABLE
    }

    private final Reason reason;
    private final String field;

    public GatewayException(Reason reason, String message) {
        this(reason, message, null);
    }

    public GatewayException(Reason reason, String message, String field) {
        super(message, null, false, false);
        this.reason = reason;
        this.field = field;
    }

    public Reason reason() {
        return reason;
    }

    /** The request field the failure is about, or null. */
    public String field() {
        return field;
    }

    public static GatewayException unauthenticated(String message) {
        return new GatewayException(Reason.UNAUTHENTICATED, message);
    }

    public static GatewayException permissionDenied(String message) {
        return new GatewayException(Reason.PERMISSION_DENIED, message);
    }

    public static GatewayException invalid(String field, String message) {
        return new GatewayException(Reason.INVALID_ARGUMENT, field + ": " + message, field);
    }

    public static GatewayException notFound(String message) {
        return new GatewayException(Reason.NOT_FOUND, message);
    }

    public static GatewayException alreadyExists(String field, String message) {
        return new GatewayException(Reason.ALREADY_EXISTS, message, field);
    }

    public static GatewayException conflict(String message) {
        return new GatewayException(Reason.CONFLICT, message);
    }

    public static GatewayException exhausted(String message) {
        return new GatewayException(Reason.RESOURCE_EXHAUSTED, message);
    }

    public static GatewayException unavailable(String message) {
        return new GatewayException(Reason.UNAVAILABLE, message);
    }
}
