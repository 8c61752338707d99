package io.fleetgate.error;

import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessException;

/** Tells a database that is down or unreachable (retryable) from every other database error. */
public final class DatabaseErrors {

    private DatabaseErrors() {
    }

    /** True when the error means "the database cannot be reached right now". */
    public static boolean isUnavailable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof DataAccessResourceFailureException || t instanceof QueryTimeoutException
                    || t instanceof TransientDataAccessException || t instanceof R2dbcTransientException
                    || t instanceof R2dbcNonTransientResourceException || t instanceof ConnectException
                    || t instanceof TimeoutException || t instanceof IOException
                    || t.getClass().getName().startsWith("io.r2dbc.postgresql.client.ReactorNettyClient$")
                    || t.getClass().getSimpleName().equals("PostgresConnectionClosedException")
                    || t.getClass().getName().startsWith("io.r2dbc.pool.")
                    || isConnectionState(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The SQLSTATE of the first database error in the cause chain; "" when there is none. */
    public static String sqlState(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof R2dbcException r2dbc && r2dbc.getSqlState() != null) {
                return r2dbc.getSqlState();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return "";
    }

    private static boolean isConnectionState(Throwable t) {
        // SQLSTATE class 08 = connection exception, 57P0x = server shutting down
        if (t instanceof R2dbcException r2dbc && r2dbc.getSqlState() != null) {
            String state = r2dbc.getSqlState();
            return state.startsWith("08") || state.startsWith("57P");
        }
        return false;
    }
}
