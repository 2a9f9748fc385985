package dev.engram.model.exec;

/** Runs ranges of tiles on up to a number of threads, the caller's included: contiguous ranges, one per thread. */
final class Tiles {

    /** Work on tiles [from, to). */
    interface Range {
        void run(int from, int to);
    }

    private Tiles() {
    }

    static void parallel(int tiles, int threads, Range work) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive: " + threads);
        }
        int parts = Math.max(1, Math.min(threads, tiles));
        Thread[] workers = new Thread[parts - 1];
        Throwable[] failure = new Throwable[parts];
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) tiles * p / parts);
            int to = (int) ((long) tiles * (p + 1) / parts);
            int slot = p;
            workers[p - 1] = new Thread(() -> {
                try {
                    work.run(from, to);
                } catch (Throwable e) {
                    failure[slot] = e;
                }
            }, "engram-exec-" + p);
            workers[p - 1].start();
        }
        work.run(0, tiles / parts);
        for (Thread t : workers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for executor threads", e);
            }
        }
        for (Throwable e : failure) {
            if (e != null) {
                throw new IllegalStateException("executor thread failed", e);
            }
        }
    }
}
