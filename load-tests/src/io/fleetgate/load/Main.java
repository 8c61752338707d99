package io.fleetgate.load;

import java.util.Arrays;

/** Entry point of the load tests: {@code ingest} or {@code fanout}, then options (see load-tests/README.md). */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: load-tests/run ingest|fanout|results|watch [--option=value ...]  (see load-tests/README.md)");
            System.exit(2);
        }
        Options options = new Options(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "ingest" -> IngestBenchmark.run(options);
            case "fanout" -> FanoutBenchmark.run(options);
            case "results" -> ResultsBenchmark.run(options);
            case "watch" -> WatchBenchmark.run(options);
            default -> {
                System.err.println("unknown scenario " + args[0] + " (ingest, fanout, results, watch)");
                System.exit(2);
            }
        }
        System.exit(0);
    }
}
