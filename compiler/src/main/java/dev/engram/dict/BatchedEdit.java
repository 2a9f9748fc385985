package dev.engram.dict;

/**
 * The batched edit of MEMIT (Meng et al., "Mass-Editing Memory in a Transformer", ICLR 2023): for {@code r} keys
 * {@code K = [k₁ … k_r]} ({@code d × r}) and the value changes they must get {@code R = [δ₁ … δ_r]} ({@code m × r}),
 * <pre>  Δ = R Kᵀ (λ C + K Kᵀ)⁻¹</pre>
 * minimises {@code ‖Δ K − R‖² + λ tr(Δ C Δᵀ)}: the keys get (nearly) their changes while keys typical of the data
 * ({@code C = E[k kᵀ]}) move little. Solved as {@code Δᵀ = (λ C + K Kᵀ)⁻¹ (K Rᵀ)}, one Cholesky factorisation of a
 * {@code d × d} matrix and {@code m} right-hand sides. For one key and {@code λ → 0} it is the rank-one edit.
 */
public final class BatchedEdit {
    private BatchedEdit() {
    }

    /**
     * {@code Δ} ({@code m × d}, row-major) for keys {@code keys} ({@code r × d}, one key per row), changes
     * {@code changes} ({@code r × m}, one per row), second moment {@code c} ({@code d × d}) and weight {@code lambda}.
     */
    public static double[] solve(double[] keys, double[] changes, int r, int d, int m, double[] c, double lambda,
                                 LinearAlgebra la) {
        if (keys.length != r * d || changes.length != r * m || c.length != d * d) {
            throw new IllegalArgumentException("shapes: " + r + " keys of " + d + ", changes of " + m);
        }
        double[] a = new double[d * d];
        for (int k = 0; k < d * d; k++) {
            a[k] = lambda * c[k];
        }
        double[] g = new double[d * m];
        for (int j = 0; j < r; j++) {
            int kj = j * d;
            int rj = j * m;
            for (int i = 0; i < d; i++) {
                double ki = keys[kj + i];
                if (ki == 0) {
                    continue;
                }
                int ai = i * d;
                for (int p = 0; p < d; p++) {
                    a[ai + p] += ki * keys[kj + p];
                }
                int gi = i * m;
                for (int o = 0; o < m; o++) {
                    g[gi + o] += ki * changes[rj + o];
                }
            }
        }
        double[] dt = la.solveSpd(a, d, g, m);
        double[] delta = new double[m * d];
        for (int i = 0; i < d; i++) {
            for (int o = 0; o < m; o++) {
                delta[o * d + i] = dt[i * m + o];
            }
        }
        return delta;
    }

    /**
     * The weight {@code λ} that makes the preservation term {@code relative} times as heavy as the keys' own second
     * moment: {@code λ = relative · tr(K Kᵀ) / tr(C)}.
     */
    public static double lambda(double[] keys, double[] c, int d, double relative) {
        double kk = 0;
        for (double v : keys) {
            kk += v * v;
        }
        double tc = 0;
        for (int i = 0; i < d; i++) {
            tc += c[i * d + i];
        }
        return tc > 0 ? relative * kk / tc : relative;
    }
}
