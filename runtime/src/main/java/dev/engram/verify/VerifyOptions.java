package dev.engram.verify;

/**
 * Options of one verification run: time budget, worker threads and the random seed (results are deterministic).
 * Built with {@link #builder()} ({@code opt*} for each optional value) or taken as {@link #defaults()}.
 */
public record VerifyOptions(double timeoutSeconds, int threads, long seed) {
    /** 120 s, one thread per available core, seed 0x5EED. */
    public static VerifyOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public VerifyOptions withTimeout(double seconds) {
        return new VerifyOptions(seconds, threads, seed);
    }

    /** Builder in the DJL style: {@code opt*} for optional values, then {@link #build()}. */
    public static final class Builder {
        private double timeoutSeconds = 120;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private long seed = 0x5EED;

        private Builder() {
        }

        public Builder optTimeoutSeconds(double seconds) {
            this.timeoutSeconds = seconds;
            return this;
        }

        public Builder optThreads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        public VerifyOptions build() {
            return new VerifyOptions(timeoutSeconds, threads, seed);
        }
    }
}
