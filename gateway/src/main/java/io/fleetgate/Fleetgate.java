package io.fleetgate;

import io.fleetgate.client.ClientHost;
import io.fleetgate.client.Clients;
import java.util.Arrays;

/**
 * The single entry point of {@code fleetgate.jar}: {@code gateway} (the default), {@code agent}
 * or {@code sync}. Each command parses its own options.
 */
public final class Fleetgate {

    private static final String USAGE = """
            Usage: java -jar fleetgate.jar [gateway|agent|sync] [options]

              gateway   run the gateway (default); options are Spring Boot properties, e.g. --server.port=8080
              agent     run a reference agent: polls GetConfig and sweeps its targets (agent --help)
              sync      run a reference sync service: discovers devices and streams them (sync --help)
              --help, -h      this text, and the gateway's settings
              --version, -V   the version
            """;

    private Fleetgate() {
    }

    private static boolean asks(String[] args, String... flags) {
        return Arrays.stream(args).anyMatch(arg -> Arrays.asList(flags).contains(arg));
    }

    public static void main(String[] args) {
        String command = args.length == 0 || args[0].startsWith("-") ? "gateway" : args[0];
        String[] rest = args.length > 0 && !args[0].startsWith("-") ? Arrays.copyOfRange(args, 1, args.length) : args;
        if (command.equals("gateway") && asks(rest, "--help", "-h")) {
            System.out.print(USAGE + "\n" + GatewayHelp.settings());
            return;
        }
        if ((command.equals("gateway") || command.equals("help")) && asks(rest, "--version", "-V")) {
            System.out.println("fleetgate " + ClientHost.version());
            return;
        }
        switch (command) {
            case "gateway" -> GatewayApplication.launch(rest);
            case "agent", "sync" -> System.exit(Clients.run(command, rest));
            case "help" -> System.out.print(USAGE + "\n" + GatewayHelp.settings());
            default -> {
                System.err.print("Unknown command: " + command + "\n\n" + USAGE);
                System.exit(2);
            }
        }
    }
}
