package io.fleetgate.client;

import io.grpc.Status;
import java.time.Duration;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/** Reconnection policy of the clients: exponential backoff with jitter, for failures worth retrying. */
public final class Backoff {

    private Backoff() {
    }

    /** Retries forever (with backoff capped at {@code max}) while the failure is transient. */
    public static RetryBackoffSpec transientFailures(Duration first, Duration max) {
        return Retry.backoff(Long.MAX_VALUE, first).maxBackoff(max).jitter(0.5).filter(Backoff::transientFailure);
    }

    /** UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, CANCELLED, INTERNAL and UNKNOWN (e.g. a dropped connection). */
    public static boolean transientFailure(Throwable error) {
        if (!(error instanceof io.grpc.StatusRuntimeException || error instanceof io.grpc.StatusException)) {
            return false; // not a failure of the call: a bug or a broken promise, retrying will not help
        }
        return switch (Status.fromThrowable(error).getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, CANCELLED, INTERNAL, UNKNOWN -> true;
            default -> false;
        };
    }

    /** UNAUTHENTICATED or PERMISSION_DENIED: the credential is refused, and no retry will change that. */
    public static boolean refusedCredential(Throwable error) {
        if (!(error instanceof io.grpc.StatusRuntimeException || error instanceof io.grpc.StatusException)) {
            return false;
        }
        Status.Code code = Status.fromThrowable(error).getCode();
        return code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED;
    }
}
