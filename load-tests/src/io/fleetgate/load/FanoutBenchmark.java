package io.fleetgate.load;

/** GetConfig fan-out (filled in with the GetConfig capability). */
final class FanoutBenchmark {

    private FanoutBenchmark() {
    }

    static void run(Options options) {
        throw new UnsupportedOperationException("fanout: not built yet");
    }
}
