package io.fleetgate.grpc;

import io.fleetgate.error.DatabaseErrors;
import io.fleetgate.error.GatewayException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become gRPC statuses. */
public final class GrpcErrors {

    private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    public static StatusRuntimeException toStatus(Throwable error) {
        if (error instanceof StatusRuntimeException status) {
            return status;
        }
        if (error instanceof StatusException status) {
            return status.getStatus().asRuntimeException(status.getTrailers());
        }
        if (error instanceof GatewayException gateway) {
            return status(gateway.reason()).withDescription(gateway.getMessage()).asRuntimeException();
        }
        if (DatabaseErrors.isUnavailable(error)) {
            log.warn("Database unavailable: {}", error.toString());
            return Status.UNAVAILABLE.withDescription("database unavailable, retry later").asRuntimeException();
        }
        log.error("Unexpected failure in a gRPC call", error);
        return Status.INTERNAL.withDescription("internal error").asRuntimeException();
    }

    static Status status(GatewayException.Reason reason) {
        return switch (reason) {
            case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
            case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case CONFLICT -> Status.FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
        };
    }
}
