package dev.engram.verify.graph;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs independent tasks on a few threads, the caller's among them; the first task's exception is rethrown. */
final class Parallel {
    private Parallel() {
    }

    static void run(List<Runnable> tasks, int threads) {
        int n = Math.min(threads, tasks.size());
        if (n <= 1) {
            tasks.forEach(Runnable::run);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(n - 1, r -> {
            Thread t = new Thread(r, "graph-bounds");
            t.setDaemon(true);
            return t;
        });
        try {
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            Runnable worker = () -> {
                for (int i = next.getAndIncrement(); i < tasks.size(); i = next.getAndIncrement()) {
                    tasks.get(i).run();
                }
            };
            List<Future<?>> helpers = new java.util.ArrayList<>();
            for (int t = 1; t < n; t++) {
                helpers.add(pool.submit(worker));
            }
            RuntimeException first = null;
            try {
                worker.run();
            } catch (RuntimeException e) {
                first = e;
                next.set(tasks.size()); // the others stop taking tasks
            }
            for (Future<?> f : helpers) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            pool.shutdown();
        }
    }
}
