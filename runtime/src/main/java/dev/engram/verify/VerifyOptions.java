package dev.engram.verify;

/** Options of one verification run: time budget, worker threads and the random seed (results are deterministic). */
public record VerifyOptions(double timeoutSeconds, int threads, long seed) {
    public static VerifyOptions defaults() {
        return new VerifyOptions(120, Math.max(1, Runtime.getRuntime().availableProcessors()), 0x5EED);
    }

    public VerifyOptions withTimeout(double seconds) {
        return new VerifyOptions(seconds, threads, seed);
    }
}
