package io.fleetgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.client.agent.AgentCommand;
import io.fleetgate.client.agent.AgentRunner;
import io.fleetgate.grpc.GrpcServer;
import io.fleetgate.test.Await;
import io.fleetgate.test.GatewayTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine;

class AgentLifecycleTest extends GatewayTest {

    @Autowired
    GrpcServer grpc;

    @Test
    void anAgentWhoseTokenIsRefusedExitsNonZeroWithOneLine() throws Exception {
        StringWriter err = new StringWriter();
        CommandLine agent = new CommandLine(new AgentCommand()).setErr(new PrintWriter(err, true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> agent.execute("--gateway", "127.0.0.1:" + grpc.port(),
                "--token", "fga_not-a-token-of-this-gateway", "--agent-id", "refused"));
        assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(err.toString().strip()).startsWith("agent: stopped: the gateway refused the token (UNAUTHENTICATED").doesNotContain("\n");
    }

    @Test
    void aNewAgentFetchesItsConfigAtOnceRatherThanAfterARandomWait() {
        UUID tenant = createTenant("first-poll");
        AgentRunner agent = new AgentRunner(new AgentRunner.Options(GatewayAddress.plaintext("127.0.0.1:" + grpc.port(), agentToken(tenant)),
                "eager-agent", null, null, null, null), Clock.systemUTC());
        try {
            agent.start();
            // the gateway says poll every 30 s; before, the first GetConfig came anywhere in those 30 s
            Await.until(Duration.ofSeconds(5), () -> !agent.version().isEmpty());
        } finally {
            agent.close();
        }
    }
}
