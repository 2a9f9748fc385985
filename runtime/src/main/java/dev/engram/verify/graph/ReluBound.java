package dev.engram.verify.graph;

/**
 * {@code Relu} and {@code LeakyRelu} ({@code max(z, leak·z)}, leak in [0, 1]). Float32: ReLU is exact; leaky ReLU's
 * product {@code leak·z} is one rounding, {@code u·leak|z| + τ}. Relaxation (CROWN, Zhang et al. 2018): stable
 * neurons exactly; an unstable one ({@code l < 0 < u}) has the upper chord through {@code (l, leak·l)} and
 * {@code (u, u)}, raised by twice its computed intercept's rounding, and the lower line {@code α z} with the adaptive
 * choice {@code α = 1} if {@code u >= −l}, else {@code leak}, or the pass's optimised slopes (α-CROWN, Xu et al.
 * ICLR 2021; any {@code α} in [leak, 1] is valid).
 */
final class ReluBound implements BoundOp {
    private final String type;
    private final int n;
    private final double leak;

    ReluBound(String type, int n, double leak) {
        this.type = type;
        this.n = n;
        this.leak = leak;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public boolean nonlinear() {
        return true;
    }

    double leak() {
        return leak;
    }

    private double act(double z) {
        return z > 0 ? z : leak * z;
    }

    @Override
    public void interval(Range[] args, double[] lo, double[] hi) {
        for (int i = 0; i < n; i++) {
            lo[i] = Math.nextDown(act(args[0].lo()[i]));
            hi[i] = Math.nextUp(act(args[0].hi()[i]));
        }
    }

    @Override
    public double[] error(Range[] args) {
        double[] err = new double[n];
        for (int i = 0; i < n; i++) {
            double m = args[0].mag(i);
            err[i] = leak == 0 ? Float32.DOUBLE_SLACK * m : Float32.sum(1, leak * m) + Float32.DOUBLE_SLACK * m;
        }
        return err;
    }

    @Override
    public void backward(double[][] a, Range[] args, double[][][] argA, Backward pass) {
        for (int r = 0; r < a.length; r++) {
            Range z = pass.arg(r, 0, args);
            double[] lo = z.lo();
            double[] hi = z.hi();
            double[] ar = a[r];
            double[] x = argA[0][r];
            double[] alpha = pass.alpha(r);
            for (int i = 0; i < n; i++) {
                double ai = ar[i];
                if (ai == 0) {
                    continue;
                }
                double l = lo[i];
                double u = hi[i];
                if (l >= 0) {
                    x[i] += ai;
                    continue;
                }
                if (u <= 0) {
                    x[i] += ai * leak;
                    continue;
                }
                pass.unstable(r, i, ai);
                if (ai > 0) {
                    x[i] += ai * (alpha != null ? alpha[i] : u >= -l ? 1 : leak);
                    pass.used(r, i, ai);
                } else if (Double.isInfinite(l) || Double.isInfinite(u)) {
                    pass.add(r, Double.NEGATIVE_INFINITY);
                } else {
                    double s = (u - leak * l) / (u - l);
                    double t = leak * l - s * l;
                    t += 0x1p-46 * (Math.abs(u) + Math.abs(l)); // the computed chord lies above the activation
                    x[i] += ai * s;
                    pass.add(r, ai * t);
                }
            }
        }
    }

    /**
     * The relaxed activation at {@code z} (a point of range {@code zr}) for a pass whose coefficients {@code met}
     * (null: none) met the unstable elements: stable elements exactly; unstable ones the lower line {@code α z} where
     * the coefficient was positive, the chord where negative.
     */
    double[] relaxed(double[] z, Range zr, double[] met, double[] alpha) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double l = zr.lo()[i];
            double u = zr.hi()[i];
            double a = met == null ? 0 : met[i];
            if (l >= 0 || u <= 0 || a == 0 || Double.isInfinite(l) || Double.isInfinite(u)) {
                out[i] = act(z[i]);
            } else if (a > 0) {
                out[i] = (alpha != null ? alpha[i] : u >= -l ? 1 : leak) * z[i];
            } else {
                double s = (u - leak * l) / (u - l);
                out[i] = s * z[i] + (leak * l - s * l);
            }
        }
        return out;
    }
}
