package io.fleetgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.client.agent.AgentCommand;
import io.fleetgate.client.sync.SyncCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The clients' command lines: usage errors are a message and exit code 2, never a stack trace or a run. */
class ClientCommandsTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Object command, String... args) {
        return new CommandLine(command).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    }

    @Test
    void helpListsTheConnectionOptionsOfBothClients() {
        assertThat(run(new AgentCommand(), "--help")).isZero();
        assertThat(run(new SyncCommand(), "--help")).isZero();
        for (String option : new String[] {"--gateway=HOST:PORT", "--tls", "--ca=FILE", "--cert=FILE", "--key=FILE", "--token"}) {
            assertThat(out.toString().split("Usage: sync")).allSatisfy(help -> assertThat(help).contains(option));
        }
        assertThat(out.toString()).contains("--agent-id", "--kv-url", "--batch-size", "--once");
    }

    @Test
    void bothClientsPrintTheirVersion() {
        assertThat(run(new AgentCommand(), "--version")).isZero();
        assertThat(run(new SyncCommand(), "-V")).isZero();
        assertThat(out.toString().lines()).hasSize(2).allMatch(line -> line.startsWith("fleetgate "));
    }

    @Test
    void aMissingGatewayIsAUsageError() {
        assertThat(run(new AgentCommand(), "--token", "fga_x", "--agent-id", "a")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--gateway=HOST:PORT'").doesNotContain("Exception");
    }

    @Test
    void aBatchSizeBelowOneIsAUsageError() {
        assertThat(run(new SyncCommand(), "--gateway", "127.0.0.1:1", "--token", "fgs_x", "--batch-size", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--batch-size and --window must be positive").doesNotContain("Exception");
    }

    @Test
    void durationsTakeTheGatewaysFormsAndRejectOthers() {
        DurationOption option = new DurationOption();
        assertThat(option.convert("60s")).isEqualTo(java.time.Duration.ofSeconds(60));
        assertThat(option.convert("500ms")).isEqualTo(java.time.Duration.ofMillis(500));
        assertThat(option.convert("PT2M")).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(run(new AgentCommand(), "--gateway", "127.0.0.1:1", "--token", "fga_x", "--agent-id", "a", "--poll-interval", "soon"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("'soon' is not a duration").doesNotContain("Exception");
        assertThat(run(new SyncCommand(), "--gateway", "127.0.0.1:1", "--token", "fgs_x", "--config-refresh", "0s")).isEqualTo(2);
        assertThat(err.toString()).contains("'0s' is not a positive duration");
    }

    @Test
    void durationsParseWithoutSpringAsSpringBootsSimpleAndIsoStylesDo() {
        DurationOption option = new DurationOption();
        assertThat(option.convert("1d")).isEqualTo(java.time.Duration.ofDays(1));
        assertThat(option.convert("250")).as("a bare number is milliseconds").isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(option.convert("1m30s")).isEqualTo(java.time.Duration.ofSeconds(90));
        assertThat(option.convert("2h")).isEqualTo(java.time.Duration.ofHours(2));
        assertThat(option.convert("pt1s")).isEqualTo(java.time.Duration.ofSeconds(1));
    }

    @picocli.CommandLine.Command(name = "probe")
    static final class TokenHolder {
        @picocli.CommandLine.Mixin
        GatewayOptions connection;
    }

    @Test
    void theCredentialMayComeFromAFileKeptOutOfTheProcessList(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("token");
        java.nio.file.Files.writeString(file, "fga_from-a-file\n");
        TokenHolder holder = new TokenHolder();
        new CommandLine(holder).parseArgs("--gateway", "127.0.0.1:1", "--token-file", file.toString());
        assertThat(holder.connection.token()).isEqualTo("fga_from-a-file");
        assertThat(holder.connection.address().token()).isEqualTo("fga_from-a-file");

        java.nio.file.Files.writeString(file, "  \n");
        assertThat(run(new SyncCommand(), "--gateway", "127.0.0.1:1", "--token-file", file.toString(), "--once")).isEqualTo(2);
        assertThat(err.toString()).contains("is empty").doesNotContain("Exception");
        assertThat(run(new AgentCommand(), "--gateway", "127.0.0.1:1", "--token-file", dir.resolve("missing").toString(), "--agent-id", "a"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("cannot be read").doesNotContain("Exception");
        assertThat(run(new AgentCommand(), "--gateway", "127.0.0.1:1", "--token", "fga_x", "--token-file", file.toString(), "--agent-id", "a"))
                .isEqualTo(2);
    }
}
