package dev.engram.verify.bounds;

/**
 * The float32 evaluation error of one dense layer {@code z = W h + b}, the error model's rule for this operator
 * (every operator gets one; activations state theirs in {@link ActivationRelaxation#roundingError}).
 *
 * <p>The executed layer computes {@code ẑ_o = fl(Σ_i fl(w_oi ĥ_i) + b_o)} in some order (sequential, pairwise,
 * SIMD lanes, fused multiply-adds: any binary tree of additions), where {@code ĥ = h + a} is the executed input:
 * the exact activation {@code h} of the previous layer's executed values plus that activation's own rounding
 * {@code |a_i| <= ρ_i} (for the first layer, the rounding of the input to float32). By Higham's Lemma 3.1 every
 * term of the sum carries a factor {@code 1 + θ}, {@code |θ| <= γ_{n+1}} for {@code n} inputs (one product and
 * at most {@code n} additions), so with {@code |h_i| <= m_i}:
 *
 * <pre>
 *   |ẑ_o − (W h + b)_o|  <=  γ_{n+1} (Σ_i |w_oi| (m_i + ρ_i) + |b_o|)  +  Σ_i |w_oi| ρ_i  +  (2n + 2) τ
 * </pre>
 *
 * where {@code τ = 2^-126} allows for each product or sum falling below the normal range (gradual underflow or
 * flush to zero). Above {@link Rounding#F32_SAFE_MAX} a partial sum may overflow and the bound is infinite.
 */
final class DenseRounding {
    private DenseRounding() {
    }

    /**
     * The error bounds of layer {@code l}: {@code eps[o]} bounds {@code |ẑ_o − (W h + b)_o|} as above, and
     * {@code mag[o]} bounds {@code Σ_i |w_oi| m_i} (used by the bound computation's own rounding terms).
     */
    static void bound(BoundNetwork net, int l, double[] m, double[] rho, double[] eps, double[] mag) {
        int in = net.sizes[l];
        int out = net.sizes[l + 1];
        double[] wAbs = net.wAbs[l];
        double[] bias = net.b[l];
        double g = Rounding.gamma32(in + 1);
        double tiny = (2.0 * in + 2) * Rounding.F32_TINY;
        boolean huge = false;
        for (int i = 0; i < in; i++) {
            huge |= !(m[i] + rho[i] < Rounding.F32_SAFE_MAX); // an input that may be infinite: 0 · ∞ is NaN
        }
        for (int o = 0; o < out; o++) {
            int base = o * in;
            double sm = 0;
            double sr = 0;
            for (int i = 0; i < in; i++) {
                double w = wAbs[base + i];
                if (w != 0) {
                    sm += w * m[i];
                    sr += w * rho[i];
                }
            }
            sm = Rounding.up(sm, in);
            sr = Rounding.up(sr, in);
            double total = sm + sr + Math.abs(bias[o]);
            mag[o] = sm;
            eps[o] = huge || !(total < Rounding.F32_SAFE_MAX) ? Double.POSITIVE_INFINITY
                    : Rounding.up(g * total + sr + tiny, 4);
        }
    }

    /** The rounding of the inputs to float32: {@code u |x_i| + τ} (relative, or a flushed subnormal). */
    static double[] inputRounding(double[] xmag) {
        double[] rho = new double[xmag.length];
        for (int i = 0; i < rho.length; i++) {
            rho[i] = Math.nextUp(Rounding.F32_U * xmag[i] + Rounding.F32_TINY);
        }
        return rho;
    }
}
