package io.fleetgate.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * On a failed test, every thread of the test JVM (the gateway's included) with its whole stack,
 * written to {@code target/thread-dumps}: a request that hangs leaves no log, only a waiting thread.
 */
public final class ThreadDumpOnFailure implements TestWatcher {

    private static final Path DUMPS = Path.of("target", "thread-dumps");

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        StringBuilder dump = new StringBuilder("# ").append(context.getDisplayName()).append(": ").append(cause).append("\n\n");
        for (ThreadInfo thread : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            dump.append('"').append(thread.getThreadName()).append("\" ").append(thread.getThreadState());
            LockInfo lock = thread.getLockInfo();
            if (lock != null) {
                dump.append(" on ").append(lock).append(thread.getLockOwnerName() == null ? "" : " owned by " + thread.getLockOwnerName());
            }
            dump.append('\n');
            for (StackTraceElement frame : thread.getStackTrace()) {
                dump.append("    at ").append(frame).append('\n');
            }
            dump.append('\n');
        }
        try {
            Files.createDirectories(DUMPS);
            String name = context.getRequiredTestClass().getSimpleName() + "-" + context.getRequiredTestMethod().getName() + ".txt";
            Files.writeString(DUMPS.resolve(name), dump);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
