package dev.engram.lower.repair;

import java.lang.management.ManagementFactory;

/**
 * The repair's trace on standard error, on with {@code -Dengram.repair.debug=true}: what each stage did, its wall
 * time and the process CPU time it used (all threads: the machine is shared, so CPU time is the steadier figure).
 */
final class DebugTrace {
    static final boolean ON = Boolean.getBoolean("engram.repair.debug");

    private DebugTrace() {
    }

    /** A start mark: wall and process CPU nanoseconds. */
    static long[] start() {
        return ON ? new long[] {System.nanoTime(), cpuNanos()} : null;
    }

    /** Prints {@code what} (a format with {@code args}) with the time since {@code mark}. */
    static void end(long[] mark, String what, Object... args) {
        if (ON) {
            System.err.printf("[repair] %s in %.2f s (CPU %.2f s)%n", String.format(java.util.Locale.ROOT, what, args),
                    (System.nanoTime() - mark[0]) / 1e9, (cpuNanos() - mark[1]) / 1e9);
        }
    }

    /** Prints a line. */
    static void log(String format, Object... args) {
        if (ON) {
            System.err.printf(java.util.Locale.ROOT, "[repair] " + format + "%n", args);
        }
    }

    private static long cpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
