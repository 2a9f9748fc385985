package dev.engram.bench;

import dev.engram.dict.BatchedEdit;
import dev.engram.dict.LinearAlgebra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Benchmark (not a unit test): {@code R} simultaneous concept edits of a {@code D}-wide layer in the MEMIT form
 * {@code Δ = R Kᵀ(λC + KKᵀ)⁻¹} (plain-Java Cholesky behind {@code LinearAlgebra}), the median of 5 timed solves after
 * 2 warm-ups, and the solve's relative residual {@code ‖Δ(λC + KKᵀ) − RKᵀ‖ / ‖RKᵀ‖}.
 * Usage: {@code MemitBench [edits=1000] [width=512] [outputs=512]}.
 */
public final class MemitBench {
    public static void main(String[] args) throws Exception {
        int r = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int m = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        Random rnd = new Random(42);
        // a ReLU-like key covariance from 4d samples
        int n = 4 * d;
        double[] c = new double[d * d];
        double[] x = new double[d];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < d; i++) {
                x[i] = Math.max(0, rnd.nextGaussian() + 0.3);
            }
            for (int i = 0; i < d; i++) {
                if (x[i] == 0) {
                    continue;
                }
                for (int j = 0; j < d; j++) {
                    c[i * d + j] += x[i] * x[j] / n;
                }
            }
        }
        double[] keys = new double[r * d];
        double[] changes = new double[r * m];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = Math.max(0, rnd.nextGaussian() + 0.3);
        }
        for (int k = 0; k < changes.length; k++) {
            changes[k] = rnd.nextGaussian();
        }
        LinearAlgebra la = LinearAlgebra.plain();
        double lambda = BatchedEdit.lambda(keys, c, d, 1e-3);
        double[] delta = null;
        double[] times = new double[5];
        for (int run = -2; run < times.length; run++) {
            long t0 = System.nanoTime();
            delta = BatchedEdit.solve(keys, changes, r, d, m, c, lambda, la);
            if (run >= 0) {
                times[run] = (System.nanoTime() - t0) / 1e9;
            }
        }
        Arrays.sort(times);
        // residual of the normal equations Δ (λC + KKᵀ) = R Kᵀ
        double[] a = new double[d * d];
        for (int k = 0; k < a.length; k++) {
            a[k] = lambda * c[k];
        }
        for (int j = 0; j < r; j++) {
            for (int i = 0; i < d; i++) {
                double ki = keys[j * d + i];
                for (int p = 0; p < d; p++) {
                    a[i * d + p] += ki * keys[j * d + p];
                }
            }
        }
        double[] lhs = la.multiply(delta, m, d, a, d);
        double err = 0;
        double scale = 0;
        for (int o = 0; o < m; o++) {
            for (int i = 0; i < d; i++) {
                double rk = 0;
                for (int j = 0; j < r; j++) {
                    rk += changes[j * m + o] * keys[j * d + i];
                }
                err = Math.max(err, Math.abs(lhs[o * d + i] - rk));
                scale = Math.max(scale, Math.abs(rk));
            }
        }
        System.out.printf(Locale.ROOT, "MEMIT: %d edits of a %d-wide layer (%d outputs): median %.3f s (min %.3f, max "
                        + "%.3f) over 5 runs; relative residual %.1e; load average %s%n", r, d, m, times[2], times[0],
                times[4], err / scale, load());
    }

    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "n/a";
        }
    }
}
