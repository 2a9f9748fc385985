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
     * The bound {@code ε_o} of one unit of layer {@code l}, from {@code sumMag >= Σ_i |w_oi| m_i} and
     * {@code sumRho >= Σ_i |w_oi| ρ_i} (computed by the caller in its own pass over the weights) and the bias;
     * {@code huge} when some input may be infinite.
     */
    static double unit(BoundNetwork net, int l, double sumMag, double sumRho, double bias, boolean huge) {
        int in = net.sizes[l];
        double total = sumMag + sumRho + Math.abs(bias);
        if (huge || !(total < Rounding.F32_SAFE_MAX)) {
            return Double.POSITIVE_INFINITY;
        }
        double tiny = (2.0 * in + 2) * Rounding.F32_TINY;
        return Rounding.up(Rounding.gamma32(in + 1) * total + sumRho + tiny, 4);
    }

    /** True when an input bounded by {@code m + ρ} may be infinite in float32 (then {@code 0 · ∞} is NaN). */
    static boolean huge(double[] m, double[] rho) {
        for (int i = 0; i < m.length; i++) {
            if (!(m[i] + rho[i] < Rounding.F32_SAFE_MAX)) {
                return true;
            }
        }
        return false;
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
