package dev.engram.verify.bounds;

import dev.engram.model.Activation;

/**
 * Linear relaxation of one element-wise activation over a pre-activation interval {@code [l, u]}: a lower line
 * {@code a z + b <= act(z)} and an upper line {@code act(z) <= c z + d}, both valid on {@code [l, u]} for the
 * stored double coefficients (rounding of their computation included), with non-negative slopes (every supported
 * activation is monotone); and the activation's own float32 evaluation error. One implementation per activation,
 * looked up by {@link #of(Activation, double)}.
 */
public interface ActivationRelaxation {

    /** Writes {@code {a, b, c, d}} into {@code out} for the interval {@code [l, u]}. */
    void relax(double l, double u, double[] out);

    /** The activation of one value, rounded to nearest (for evaluation and search heuristics). */
    double apply(double z);

    /** A lower bound of the exact {@code act(z)} (monotone, so {@code act(l)} bounds the image of {@code [l, u]}). */
    default double applyDown(double z) {
        return apply(z);
    }

    /** An upper bound of the exact {@code act(z)}. */
    default double applyUp(double z) {
        return apply(z);
    }

    /**
     * A bound on {@code |fl(act(z)) − act(z)|} for float32 evaluation of the activation at any {@code |z| <=
     * magnitude}: 0 for exact activations (identity, ReLU).
     */
    default double roundingError(double magnitude) {
        return 0;
    }

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
            } else if (!Double.isFinite(l) || !Double.isFinite(u)) {
                out[0] = alpha;
                out[1] = 0;
                out[2] = 0;
                out[3] = Double.POSITIVE_INFINITY; // no finite upper line
            } else {
                double s = (u - alpha * l) / (u - l);
                out[0] = u > -l ? 1 : alpha;
                out[1] = 0;
                out[2] = s;
                // the line of slope s through (l, alpha l) meets (u, u) up to the rounding of s and of this
                // intercept (relative γ_5 of |u| + 2|l|, see docs/verifier.md); raised by twice that, it lies
                // above both end points, hence above the convex activation on [l, u]
                out[3] = Math.nextUp((alpha - s) * l + 2 * Rounding.gamma(6) * (u - 2 * l));
            }
        }

        @Override
        public double apply(double z) {
            return z > 0 ? z : alpha * z;
        }

        @Override
        public double applyDown(double z) {
            return z > 0 || alpha == 0 ? Math.max(z, 0) : Math.nextDown(alpha * z);
        }

        @Override
        public double applyUp(double z) {
            return z > 0 || alpha == 0 ? Math.max(z, 0) : Math.nextUp(alpha * z);
        }

        /** {@code alpha · z} for negative z is one float32 product: relative error 2^-24, or an underflow. */
        @Override
        public double roundingError(double magnitude) {
            return alpha == 0 ? 0 : Math.nextUp(Rounding.F32_U * alpha * magnitude + Rounding.F32_TINY);
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
