package dev.engram.dict;

import dev.engram.ir.ConceptCode;

/**
 * LEACE, least-squares concept erasure (Belrose et al., "LEACE: Perfect linear concept erasure in closed form",
 * NeurIPS 2023), for a binary concept. The eraser
 * <pre>  r(x) = x − σ aᵀ (x − μ),   a = Σ⁻¹ σ / (σᵀ Σ⁻¹ σ),</pre>
 * with {@code σ ∝ Cov(x, z) = p(1−p)(μ₊ − μ₋)} and {@code Σ} the covariance of {@code x}, is LEACE's
 * {@code x − W⁺ P W (x − μ)} (whitening {@code W = Σ^{-1/2}}, {@code P} the projection onto {@code W σ}) written out for
 * one concept: it makes the class-conditional means equal ({@code aᵀ(μ₊ − μ₋) = 1}, so
 * {@code E[r(x) | z = 1] = E[r(x) | z = 0]}), which is exactly the condition under which no linear classifier of
 * {@code r(x)} beats a constant one, and among such maps it moves {@code x} least in the {@code Σ}-norm. Folded into
 * the next dense layer {@code y = W x + b}: {@code W' = W − (W σ) aᵀ}, {@code b' = b + (W σ)(aᵀ μ)}.
 *
 * @param sigma the erased direction (the class mean difference)
 * @param a     the oblique projection's co-vector
 * @param mean  the centre {@code μ}
 */
public record Leace(double[] sigma, double[] a, double[] mean) {

    /** The eraser of {@code code}'s concept at its layer; the covariance gets a ridge for units that never fire. */
    public static Leace of(ConceptCode code, LinearAlgebra la) {
        int d = code.dim();
        double[] sigma = new double[d];
        for (int i = 0; i < d; i++) {
            sigma[i] = code.positiveMean()[i] - code.negativeMean()[i];
        }
        double[] cov = code.covariance().clone();
        double ridge = RankOneEdit.ridge(cov, d);
        for (int i = 0; i < d; i++) {
            cov[i * d + i] += ridge;
        }
        double[] a = la.solveSpd(cov, d, sigma, 1);
        double q = ConceptProbe.dot(sigma, a);
        if (!(q > 0) || !Double.isFinite(q)) {
            throw new IllegalArgumentException("the concept's classes have the same mean at layer " + code.layer()
                    + ": there is nothing linear to erase");
        }
        for (int i = 0; i < d; i++) {
            a[i] /= q;
        }
        return new Leace(sigma, a, code.mean().clone());
    }

    /** {@code r(x)} in double. */
    public double[] erase(double[] x) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += a[i] * (x[i] - mean[i]);
        }
        double[] out = x.clone();
        for (int i = 0; i < x.length; i++) {
            out[i] -= sigma[i] * s;
        }
        return out;
    }

    /**
     * The next layer with the eraser folded in: {@code W' = W − (W σ) aᵀ} ({@code w} is {@code m × d} row-major) and
     * {@code b' = b + (W σ)(aᵀ μ)}; returns {@code [W', b']} concatenated ({@code m × d + m} values).
     */
    public double[] fold(double[] w, double[] b, int m, int d) {
        double am = ConceptProbe.dot(a, mean);
        double[] out = new double[m * d + m];
        for (int o = 0; o < m; o++) {
            double ws = 0;
            for (int i = 0; i < d; i++) {
                ws += w[o * d + i] * sigma[i];
            }
            for (int i = 0; i < d; i++) {
                out[o * d + i] = w[o * d + i] - ws * a[i];
            }
            out[m * d + o] = b[o] + ws * am;
        }
        return out;
    }
}
