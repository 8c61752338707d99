package io.fleetgate.client;

import io.fleetgate.client.agent.AgentCommand;
import io.fleetgate.client.sync.SyncCommand;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * The entry point of {@code fleetgate-agent.jar}, the clients without the gateway: {@code agent}
 * or {@code sync}, each parsing its own options. {@code fleetgate.jar} runs the same commands
 * through {@link #run}.
 */
public final class Clients {

    private static final String USAGE = """
            Usage: java -jar fleetgate-agent.jar agent|sync [options]

              agent     run a reference agent: polls GetConfig and sweeps its targets (agent --help)
              sync      run a reference sync service: discovers devices and streams them (sync --help)
              --help, -h      this text
              --version, -V   the version
            """;

    private Clients() {
    }

    public static void main(String[] args) {
        String command = args.length == 0 ? "--help" : args[0];
        switch (command) {
            case "--help", "-h", "help" -> System.out.print(USAGE);
            case "--version", "-V" -> System.out.println("fleetgate-agent " + ClientHost.version());
            case "agent", "sync" -> System.exit(run(command, Arrays.copyOfRange(args, 1, args.length)));
            default -> {
                System.err.print("Unknown command: " + command + "\n\n" + USAGE);
                System.exit(2);
            }
        }
    }

    /** Runs {@code agent} or {@code sync} with its options; the process's exit code. */
    public static int run(String command, String[] options) {
        CliLogging.configure();
        Object cli = switch (command) {
            case "agent" -> new AgentCommand();
            case "sync" -> new SyncCommand();
            default -> throw new IllegalArgumentException("not a client command: " + command);
        };
        return new CommandLine(cli).execute(options);
    }
}
