package dev.engram.dict;

/**
 * The rank-one edit of ROME (Meng et al., "Locating and Editing Factual Associations in GPT", NeurIPS 2022) for one
 * dense layer {@code v = W k + b}: to make key {@code k*} produce {@code W k* + δ} while moving other keys as little as
 * possible in the metric of the key covariance {@code C = E[k kᵀ]},
 * <pre>  W' = W + δ uᵀ,   u = C⁻¹ k* / (k*ᵀ C⁻¹ k*).</pre>
 * So {@code W' k* = W k* + δ} exactly, and every key {@code k} with {@code k*ᵀ C⁻¹ k = 0} (the part of the key space
 * that is {@code C⁻¹}-orthogonal to the edited key) is untouched: {@code (W' − W) k = 0}. For a concept, {@code k*} is
 * its positive mean, and {@code uᵀ k} is (up to scale) the least-squares linear probe of the concept, so the edit acts
 * in proportion to how strongly an input carries the concept.
 */
public final class RankOneEdit {
    private RankOneEdit() {
    }

    /**
     * The gate {@code u = C⁻¹ k / (kᵀ C⁻¹ k)} for key {@code k} and key second moment {@code c} ({@code d × d},
     * row-major), {@code c} regularised by {@code ridge} on the diagonal (for units that never fire).
     */
    public static double[] gate(double[] c, double[] key, double ridge, LinearAlgebra la) {
        int d = key.length;
        double[] reg = c.clone();
        for (int i = 0; i < d; i++) {
            reg[i * d + i] += ridge;
        }
        double[] ck = la.solveSpd(reg, d, key, 1);
        double q = ConceptProbe.dot(key, ck);
        if (!(q > 0) || !Double.isFinite(q)) {
            throw new IllegalArgumentException("the key is zero in the covariance metric (k·C⁻¹k = " + q + ")");
        }
        for (int i = 0; i < d; i++) {
            ck[i] /= q;
        }
        return ck;
    }

    /** A ridge for a second moment matrix: a millionth of its average diagonal (and at least 1e-12). */
    public static double ridge(double[] c, int d) {
        double t = 0;
        for (int i = 0; i < d; i++) {
            t += c[i * d + i];
        }
        return 1e-6 * t / Math.max(1, d) + 1e-12;
    }

    /** {@code W + δ uᵀ} in double ({@code w} is {@code m × d}, {@code δ} has {@code m} values, {@code u} has d). */
    public static double[] apply(double[] w, int m, int d, double[] delta, double[] u) {
        double[] out = w.clone();
        for (int o = 0; o < m; o++) {
            double f = delta[o];
            if (f == 0) {
                continue;
            }
            for (int i = 0; i < d; i++) {
                out[o * d + i] += f * u[i];
            }
        }
        return out;
    }
}
