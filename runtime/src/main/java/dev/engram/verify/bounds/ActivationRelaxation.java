package dev.engram.verify.bounds;

import dev.engram.model.Activation;

/**
 * Linear relaxation of one element-wise activation over a pre-activation interval {@code [l, u]}: a lower line
 * {@code a z + b <= act(z)} and an upper line {@code act(z) <= c z + d}, both valid on {@code [l, u]}, with
 * non-negative slopes (every supported activation is monotone). One implementation per activation, looked up
 * by {@link #of(Activation, double)}.
 */
public interface ActivationRelaxation {

    /** Writes {@code {a, b, c, d}} into {@code out} for the interval {@code [l, u]}. */
    void relax(double l, double u, double[] out);

    /** The activation of one value (for interval bounds: monotone, so bounds map to bounds). */
    double apply(double z);

    /** The derivative at {@code z} (a subgradient at kinks), for gradient-based falsification. */
    double slope(double z);

    /**
     * The smallest slope {@code s} such that every line {@code s' z} with {@code s <= s' <= 1} is a valid lower
     * line on any interval {@code [l, u]} with {@code l < 0 < u} (the lower slopes α-CROWN may optimise), or NaN
     * when the activation has no such family.
     */
    default double minLowerSlope() {
        return Double.NaN;
    }

    /** The relaxation of {@code activation}, or null when it has none (the verifier then answers unknown). */
    static ActivationRelaxation of(Activation activation, double alpha) {
        switch (activation) {
            case IDENTITY:
                return Identity.INSTANCE;
            case RELU:
                return new LeakyRelu(0);
            case LEAKY_RELU:
                return alpha >= 0 && alpha <= 1 ? new LeakyRelu(alpha) : null;
            default:
                return null;
        }
    }

    /** {@code z}: exact. */
    final class Identity implements ActivationRelaxation {
        static final Identity INSTANCE = new Identity();

        @Override
        public void relax(double l, double u, double[] out) {
            out[0] = 1;
            out[1] = 0;
            out[2] = 1;
            out[3] = 0;
        }

        @Override
        public double apply(double z) {
            return z;
        }

        @Override
        public double slope(double z) {
            return 1;
        }
    }

    /**
     * {@code max(z, alpha z)} with {@code 0 <= alpha <= 1} (ReLU when alpha = 0). Unstable neurons get the chord
     * as upper line and, as lower line, the slope among {alpha, 1} that keeps the relaxed area smallest
     * (DeepPoly/CROWN's adaptive choice).
     */
    final class LeakyRelu implements ActivationRelaxation {
        private final double alpha;

        LeakyRelu(double alpha) {
            this.alpha = alpha;
        }

        @Override
        public void relax(double l, double u, double[] out) {
            if (l >= 0) {
                out[0] = 1;
                out[1] = 0;
                out[2] = 1;
                out[3] = 0;
            } else if (u <= 0) {
                out[0] = alpha;
                out[1] = 0;
                out[2] = alpha;
                out[3] = 0;
            } else {
                double s = (u - alpha * l) / (u - l);
                out[0] = u > -l ? 1 : alpha;
                out[1] = 0;
                out[2] = s;
                out[3] = (alpha - s) * l; // the chord through (l, alpha l) and (u, u)
            }
        }

        @Override
        public double apply(double z) {
            return z > 0 ? z : alpha * z;
        }

        @Override
        public double slope(double z) {
            return z > 0 ? 1 : alpha;
        }

        /** {@code s z <= max(z, alpha z)} for every z when {@code alpha <= s <= 1}. */
        @Override
        public double minLowerSlope() {
            return alpha;
        }
    }
}
