package dev.engram.dict;

import dev.engram.model.DenseNetwork;
import dev.engram.train.Metrics;

/**
 * Fresh probes, trained after an edit to see what a representation still tells about a concept: an L2-regularised
 * logistic regression fitted by Newton's method (the linear probe LEACE's guarantee is about), and a small ReLU MLP
 * (64 hidden units, the runtime's trainer) that is not covered by any guarantee and is reported as measured. Features
 * are standardised with the training rows' mean and deviation.
 */
final class Probes {
    private Probes() {
    }

    /** A trained probe. */
    interface Probe {
        /** 1 when the probe says the concept holds. */
        int predict(double[] x);

        /** The share of rows with a known label (0/1) it gets right; NaN when there are none. */
        default double accuracy(double[][] x, byte[] y) {
            int n = 0;
            int ok = 0;
            for (int r = 0; r < x.length; r++) {
                if (y[r] == 0 || y[r] == 1) {
                    n++;
                    ok += predict(x[r]) == y[r] ? 1 : 0;
                }
            }
            return n == 0 ? Double.NaN : (double) ok / n;
        }
    }

    /** Column means and deviations of {@code x} (deviation 1 where a column is constant). */
    private record Standard(double[] mean, double[] sd) {
        static Standard of(double[][] x) {
            int d = x.length == 0 ? 0 : x[0].length;
            double[] m = new double[d];
            double[] s = new double[d];
            for (double[] row : x) {
                for (int i = 0; i < d; i++) {
                    m[i] += row[i] / x.length;
                }
            }
            for (double[] row : x) {
                for (int i = 0; i < d; i++) {
                    s[i] += (row[i] - m[i]) * (row[i] - m[i]) / x.length;
                }
            }
            for (int i = 0; i < d; i++) {
                s[i] = s[i] > 1e-24 ? Math.sqrt(s[i]) : 1;
            }
            return new Standard(m, s);
        }

        double[] apply(double[] x) {
            double[] z = new double[x.length + 1];
            for (int i = 0; i < x.length; i++) {
                z[i] = (x[i] - mean[i]) / sd[i];
            }
            z[x.length] = 1;
            return z;
        }
    }

    /** Logistic regression with an intercept and ridge {@code 1e-3} per row, by Newton's method (at most 30 steps). */
    static Probe logistic(double[][] x, byte[] y) {
        Standard st = Standard.of(x);
        int n = x.length;
        int d = (n == 0 ? 0 : x[0].length) + 1;
        double[][] z = new double[n][];
        for (int r = 0; r < n; r++) {
            z[r] = st.apply(x[r]);
        }
        double[] w = new double[d];
        double ridge = 1e-3 * Math.max(1, n);
        LinearAlgebra la = LinearAlgebra.plain();
        for (int it = 0; it < 30; it++) {
            double[] g = new double[d];
            double[] h = new double[d * d];
            for (int r = 0; r < n; r++) {
                double p = sigmoid(ConceptProbe.dot(w, z[r]));
                double e = p - (y[r] == 1 ? 1 : 0);
                double v = Math.max(p * (1 - p), 1e-9);
                double[] zr = z[r];
                for (int i = 0; i < d; i++) {
                    g[i] += e * zr[i];
                    double vi = v * zr[i];
                    if (vi == 0) {
                        continue;
                    }
                    for (int j = i; j < d; j++) {
                        h[i * d + j] += vi * zr[j];
                    }
                }
            }
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < i; j++) {
                    h[i * d + j] = h[j * d + i];
                }
                if (i < d - 1) {
                    g[i] += ridge * w[i];
                    h[i * d + i] += ridge;
                } else {
                    h[i * d + i] += 1e-9 * Math.max(1, n);
                }
            }
            double[] step = la.solveSpd(h, d, g, 1);
            double size = 0;
            for (int i = 0; i < d; i++) {
                w[i] -= step[i];
                size = Math.max(size, Math.abs(step[i]));
            }
            if (size < 1e-8) {
                break;
            }
        }
        return row -> ConceptProbe.dot(w, st.apply(row)) > 0 ? 1 : 0;
    }

    /** A 64-unit ReLU MLP classifier, seeded, trained for 30 epochs with the runtime's trainer. */
    static Probe mlp(double[][] x, byte[] y, long seed) {
        Standard st = Standard.of(x);
        double[][] z = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            double[] s = st.apply(x[r]);
            z[r] = java.util.Arrays.copyOf(s, s.length - 1);
        }
        DenseNetwork net = ConceptMeasures.mlp().optSeed(seed).build().train(ConceptMeasures.dataset(z, y)).network();
        return row -> {
            double[] s = st.apply(row);
            float[] f = new float[s.length - 1];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) s[i];
            }
            return Metrics.argmax(net.evaluate(f));
        };
    }

    private static double sigmoid(double t) {
        return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
    }
}
