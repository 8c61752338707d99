package io.fleetgate.client;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** Logging of the command-line clients (which run without Spring): INFO, and the transport libraries quiet. */
public final class CliLogging {

    private CliLogging() {
    }

    public static void configure() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
        for (String noisy : new String[] {"io.grpc", "io.netty", "reactor", "io.fleetgate.shaded"}) {
            context.getLogger(noisy).setLevel(Level.WARN);
        }
    }
}
