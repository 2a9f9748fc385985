package dev.engram.bench;

import java.util.Arrays;

/** Two engines timed repetition by repetition, interleaved so that load from other processes hits both alike. */
final class Interleaved {

    /** One run of an engine. */
    interface Run {
        void run() throws Exception;
    }

    /** Seconds per repetition of each engine, sorted. */
    record Times(double[] a, double[] b) {
        static double median(double[] sorted) {
            int k = sorted.length;
            return k % 2 == 1 ? sorted[k / 2] : (sorted[k / 2 - 1] + sorted[k / 2]) / 2;
        }

        double bestA() {
            return a[0];
        }

        double bestB() {
            return b[0];
        }

        double medianA() {
            return median(a);
        }

        double medianB() {
            return median(b);
        }
    }

    private Interleaved() {
    }

    static Times time(int warmups, int reps, Run a, Run b) throws Exception {
        for (int w = 0; w < warmups; w++) {
            a.run();
            b.run();
        }
        double[] ta = new double[reps];
        double[] tb = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            a.run();
            long t1 = System.nanoTime();
            b.run();
            long t2 = System.nanoTime();
            ta[r] = (t1 - t0) / 1e9;
            tb[r] = (t2 - t1) / 1e9;
        }
        Arrays.sort(ta);
        Arrays.sort(tb);
        return new Times(ta, tb);
    }

    static double maxAbsDiff(float[] x, float[] y) {
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }
}
