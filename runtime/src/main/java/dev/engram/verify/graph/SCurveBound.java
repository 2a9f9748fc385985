package dev.engram.verify.graph;

/**
 * An S-shaped activation ({@link SigmoidBound}, {@link TanhBound}): increasing, convex below 0 and concave above, its
 * derivative largest at 0 and decreasing in {@code |z|}. Relaxations (tangent/secant; CROWN, Zhang et al. 2018;
 * DeepPoly, Singh et al. POPL 2019), on an argument range {@code [l, u]}:
 *
 * <ul>
 *   <li>{@code u <= 0} (convex): upper line the chord, lower line the tangent at the midpoint;
 *   <li>{@code l >= 0} (concave): lower line the chord, upper line the tangent at the midpoint;
 *   <li>{@code l < 0 < u}: CROWN's lines: above, the tangent at a point {@code d >= 0} that passes above
 *       {@code (l, f(l))}, or the chord when that is valid; below, the same reflected through {@code (0, f(0))};
 *       where neither applies, DeepPoly's lines of slope {@code λ = min(f'(l), f'(u))} (the least slope on the
 *       range) through {@code (l, f(l))} (lower) and {@code (u, f(u))} (upper);
 *   <li>an infinite bound: the constant lines {@code f(l)}, {@code f(u)}.
 * </ul>
 *
 * Each line is moved outward by {@code 2^-40(1 + |s|(|l| + |u|))}, which covers its computation in double. Float32:
 * the executed activation is within {@code 2^-21|f| + 2^-21} of the exact function at the executed argument, which
 * covers a correctly rounded result (our executor: double, rounded once) and ONNX Runtime's approximations (measured
 * by {@code ActivationAccuracyTest}: sigmoid up to 1.4e-7 beyond {@code 2^-21|f|}, tanh 3.1e-7).
 */
abstract class SCurveBound implements BoundOp {
    static final double REL = 0x1p-21;
    static final double ABS = 0x1p-21;
    private final int n;

    SCurveBound(int n) {
        this.n = n;
    }

    abstract double f(double z);

    abstract double df(double z);

    @Override
    public final int size() {
        return n;
    }

    @Override
    public final boolean nonlinear() {
        return true;
    }

    @Override
    public final void interval(Range[] args, double[] lo, double[] hi) {
        for (int i = 0; i < n; i++) {
            lo[i] = Math.nextDown(f(args[0].lo()[i]) - 0x1p-40);
            hi[i] = Math.nextUp(f(args[0].hi()[i]) + 0x1p-40);
        }
    }

    @Override
    public final double[] error(Range[] args) {
        double[] err = new double[n];
        for (int i = 0; i < n; i++) {
            double m = Math.max(Math.abs(f(args[0].lo()[i])), Math.abs(f(args[0].hi()[i])));
            err[i] = Math.nextUp(REL * m + ABS + Float32.DOUBLE_SLACK * (1 + args[0].mag(i)));
            if (Double.isNaN(err[i])) {
                err[i] = Double.POSITIVE_INFINITY;
            }
        }
        return err;
    }

    /** The line {@code s z + t} for the lower ({@code lower}) or upper bound on {@code [l, u]}, moved outward. */
    final double[] line(double l, double u, boolean lower) {
        double s;
        double t;
        if (Double.isInfinite(l) || Double.isInfinite(u) || Double.isNaN(l) || Double.isNaN(u)) {
            s = 0;
            t = lower ? f(l) : f(u);
            if (Double.isNaN(t)) {
                t = lower ? f(Double.NEGATIVE_INFINITY) : f(Double.POSITIVE_INFINITY);
            }
            return new double[] {0, t};
        }
        boolean convex = u <= 0;
        boolean concave = l >= 0;
        boolean wide = u - l > 1e-12 * (1 + Math.abs(l) + Math.abs(u));
        if (wide && ((convex && !lower) || (concave && lower))) {
            s = (f(u) - f(l)) / (u - l);
            t = f(l) - s * l; // chord through (l, f(l))
        } else if (wide && (convex || concave)) {
            double m = 0.5 * l + 0.5 * u;
            s = df(m);
            t = f(m) - s * m; // tangent at the midpoint
        } else {
            double[] st = wide ? (lower ? reflect(crossingUpper(-u, -l)) : crossingUpper(l, u)) : null;
            if (st != null) {
                s = st[0];
                t = st[1];
            } else {
                s = Math.min(df(l), df(u)); // the least slope on [l, u]
                double p = lower ? l : u;
                t = f(p) - s * p;
            }
        }
        double margin = 0x1p-40 * (1 + Math.abs(s) * (Math.abs(l) + Math.abs(u)));
        return new double[] {s, lower ? t - margin : t + margin};
    }

    /**
     * CROWN's upper line on {@code l < 0 < u}: the tangent at the least {@code d} in [0, u] whose tangent passes above
     * {@code (l, f(l))} (valid: above f on the concave part, and on the convex part {@code [l, 0]} the gap is
     * concave and non-negative at both ends), else the chord when it is valid (non-negative gap at 0 and slope at most
     * {@code f'(u)}, so the gap decreases to 0 on the concave part), else null (DeepPoly's line is used).
     */
    private double[] crossingUpper(double l, double u) {
        double fl = f(l);
        if (tangentAt(u, l) >= fl + 0x1p-40) {
            double lo = 0;
            double hi = u;
            for (int k = 0; k < 40; k++) {
                double mid = 0.5 * lo + 0.5 * hi;
                if (tangentAt(mid, l) >= fl + 0x1p-40) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            double sd = df(hi);
            return new double[] {sd, f(hi) - sd * hi};
        }
        double sc = (f(u) - fl) / (u - l);
        double tc = fl - sc * l;
        if (tc >= f(0) + 0x1p-40 && sc <= df(u)) {
            return new double[] {sc, tc};
        }
        return null;
    }

    /** The value at z of the tangent at d. */
    private double tangentAt(double d, double z) {
        return f(d) + df(d) * (z - d);
    }

    /** The lower line on [l, u] from the upper line on [−u, −l], by the point symmetry {@code f(−z) = 2f(0) − f(z)}. */
    private double[] reflect(double[] up) {
        return up == null ? null : new double[] {up[0], 2 * f(0) - up[1]};
    }

    @Override
    public final void backward(double[][] a, Range[] args, double[][][] argA, Backward pass) {
        double[] lo = args[0].lo();
        double[] hi = args[0].hi();
        double[][] lower = new double[n][];
        double[][] upper = new double[n][];
        for (int r = 0; r < a.length; r++) {
            double[] ar = a[r];
            double[] x = argA[0][r];
            for (int i = 0; i < n; i++) {
                double ai = ar[i];
                if (ai == 0) {
                    continue;
                }
                double[] st;
                if (ai > 0) {
                    st = lower[i] == null ? (lower[i] = line(lo[i], hi[i], true)) : lower[i];
                } else {
                    st = upper[i] == null ? (upper[i] = line(lo[i], hi[i], false)) : upper[i];
                }
                x[i] += ai * st[0];
                pass.add(r, ai * st[1]);
            }
        }
    }
}
