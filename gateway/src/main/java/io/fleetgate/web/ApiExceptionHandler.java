package io.fleetgate.web;

import io.fleetgate.error.DatabaseErrors;
import io.fleetgate.error.GatewayException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.ServerWebInputException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * The one place where REST failures become RFC 9457 problem details. Field names are given as
 * they appear in the JSON (snake_case).
 */
@RestControllerAdvice(annotations = RestController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ApiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(GatewayException.class)
    ResponseEntity<ProblemDetail> gateway(GatewayException e) {
        HttpStatus status = switch (e.reason()) {
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
            case INVALID_ARGUMENT -> HttpStatus.BAD_REQUEST;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case ALREADY_EXISTS, CONFLICT -> HttpStatus.CONFLICT;
            case RESOURCE_EXHAUSTED -> HttpStatus.TOO_MANY_REQUESTS;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
        };
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        if (e.field() != null) {
            problem.setProperty("errors", List.of(Map.of("field", e.field(), "message", e.getMessage())));
        }
        return ResponseEntity.status(status).body(problem);
    }

    @ExceptionHandler(WebExchangeBindException.class)
    ResponseEntity<ProblemDetail> validation(WebExchangeBindException e) {
        List<Map<String, String>> errors = e.getFieldErrors().stream()
                .map(error -> Map.of("field", JsonNames.snake(error.getField()), "message", message(error)))
                .toList();
        String detail = errors.stream().map(error -> error.get("field") + ": " + error.get("message"))
                .reduce((a, b) -> a + "; " + b).orElse("invalid request");
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setProperty("errors", errors);
        return ResponseEntity.badRequest().body(problem);
    }

    private static String message(FieldError error) {
        return error.getDefaultMessage() == null ? "invalid" : error.getDefaultMessage();
    }

    @ExceptionHandler(ServerWebInputException.class)
    ResponseEntity<ProblemDetail> input(ServerWebInputException e) {
        String detail = "malformed request body";
        String field = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
                field = mismatch.getPath().stream()
                        .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                        .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b).orElse(null);
                detail = t instanceof InvalidFormatException invalid
                        ? field + ": " + (invalid.getValue() instanceof String text && text.indexOf('\u0000') >= 0
                                ? NulRejectingStrings.NUL : "wrong type or format")
                        : field + ": invalid value";
                break;
            }
        }
        if (field == null && e.getReason() != null && !e.getReason().isBlank()) {
            detail = e.getReason();
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        if (field != null) {
            problem.setProperty("errors", List.of(Map.of("field", field, "message", detail)));
        }
        return ResponseEntity.badRequest().body(problem);
    }

    /** What PostgreSQL refuses in text or jsonb (NUL, \\u0000) is the client's error, not a 500. */
    private static boolean refusedCharacters(Throwable error) {
        String state = DatabaseErrors.sqlState(error);
        return state.equals("22021") || state.equals("22P05");
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<ProblemDetail> integrity(DataIntegrityViolationException e) {
        if (refusedCharacters(e)) {
            return unexpected(e);
        }
        log.info("Rejected by a database constraint: {}", e.getMostSpecificCause().getMessage());
        return ResponseEntity.status(HttpStatus.CONFLICT)
                .body(ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "conflicts with existing data"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        if (refusedCharacters(e)) {
            return ResponseEntity.badRequest().body(ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                    "text may not contain NUL characters (\\u0000)"));
        }
        if (DatabaseErrors.isUnavailable(e)) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .body(ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, "database unavailable, retry later"));
        }
        if (e instanceof org.springframework.web.server.ResponseStatusException status) {
            return ResponseEntity.status(status.getStatusCode())
                    .body(ProblemDetail.forStatusAndDetail(status.getStatusCode(), status.getReason() == null ? "" : status.getReason()));
        }
        log.error("Unexpected failure in a REST call", e);
        return ResponseEntity.internalServerError()
                .body(ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, "internal error"));
    }
}
