package io.fleetgate.agent;

import java.time.Duration;
import org.springframework.context.ApplicationContext;

/** For tests outside this package: write the polls seen now, as the flush interval would. */
public final class AgentPolls {

    private AgentPolls() {
    }

    public static void flush(ApplicationContext gateway) {
        gateway.getBean(PollRecorder.class).flush().block(Duration.ofSeconds(10));
    }
}
