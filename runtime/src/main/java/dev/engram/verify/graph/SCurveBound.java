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

    /** The second derivative (negative for z > 0, positive for z < 0). */
    abstract double d2f(double z);

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
        double d = leastTangentPoint(l, u);
        if (!Double.isNaN(d)) {
            double sd = df(d);
            return new double[] {sd, f(d) - sd * d};
        }
        double fl = f(l);
        double sc = (f(u) - fl) / (u - l);
        double tc = fl - sc * l;
        if (tc >= f(0) + 0x1p-40 && sc <= df(u)) {
            return new double[] {sc, tc};
        }
        return null;
    }

    /**
     * On {@code l < 0 < u}: the least {@code d} in [0, u] (by bisection, rounded up) whose tangent passes above
     * {@code (l, f(l))}, or NaN when the tangent at u does not. The tangent at any {@code d} in {@code [that, u]} is
     * above f on [l, u]: its value at l, {@code f(d) + f'(d)(l − d)}, increases with d (derivative
     * {@code f''(d)(l − d) >= 0} for {@code d >= 0}).
     */
    private double leastTangentPoint(double l, double u) {
        double fl = f(l);
        if (!(tangentAt(u, l) >= fl + 0x1p-40)) {
            return Double.NaN;
        }
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
        return hi;
    }

    /**
     * The tangent points that may be optimised (α-CROWN for S-curves, Xu et al. ICLR 2021) on the argument range
     * {@code z}: for each element i, index i the lower line's and index {@code n + i} the upper line's, the interval
     * {@code [lo, hi]} of valid tangent points (NaN: that line is not a tangent and stays fixed) and CROWN's choice
     * {@code start} (the line {@link #line} gives). Lower: any {@code d} in [l, u] when {@code u <= 0} (a tangent of
     * the convex part lies below it), any {@code d} in {@code [l, −d_min(−u, −l)]} when {@code l < 0 < u} (the upper
     * case reflected); upper: any {@code d} in [l, u] when {@code l >= 0}, any {@code d} in {@code [d_min(l, u), u]}
     * when {@code l < 0 < u} ({@link #leastTangentPoint}).
     */
    final Sides sides(Range z) {
        double[] lo = new double[2 * n];
        double[] hi = new double[2 * n];
        double[] start = new double[2 * n];
        java.util.Arrays.fill(lo, Double.NaN);
        java.util.Arrays.fill(hi, Double.NaN);
        for (int i = 0; i < n; i++) {
            double l = z.lo()[i];
            double u = z.hi()[i];
            if (!(Double.isFinite(l) && Double.isFinite(u) && u - l > 1e-12 * (1 + Math.abs(l) + Math.abs(u)))) {
                continue;
            }
            if (u <= 0 || l >= 0) {
                int k = u <= 0 ? i : n + i;
                lo[k] = l;
                hi[k] = u;
                start[k] = 0.5 * l + 0.5 * u;
                continue;
            }
            double du = leastTangentPoint(l, u);
            if (!Double.isNaN(du)) {
                lo[n + i] = du;
                hi[n + i] = u;
                start[n + i] = du;
            }
            double dl = leastTangentPoint(-u, -l);
            if (!Double.isNaN(dl)) {
                lo[i] = l;
                hi[i] = -dl;
                start[i] = -dl;
            }
        }
        return new Sides(lo, hi, start);
    }

    /**
     * Per line (lower: element i, upper: {@code n + i}) the interval of valid tangent points, NaN where the line is
     * fixed, and CROWN's choice.
     */
    record Sides(double[] lo, double[] hi, double[] start) {
        boolean free(int k) {
            return !Double.isNaN(lo[k]);
        }

        double clamp(int k, double d) {
            return Math.min(hi[k], Math.max(lo[k], d));
        }
    }

    /** The tangent at {@code d} moved outward (down for a lower line) by the same margin as {@link #line}'s. */
    final double[] tangent(double d, double l, double u, boolean lower) {
        double s = df(d);
        double t = f(d) - s * d;
        double margin = 0x1p-40 * (1 + Math.abs(s) * (Math.abs(l) + Math.abs(u)));
        return new double[] {s, lower ? t - margin : t + margin};
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
        Range z = null;
        double[] lo = null;
        double[] hi = null;
        double[][] lower = null;
        double[][] upper = null;
        Sides sides = pass.sides();
        for (int r = 0; r < a.length; r++) {
            if (pass.arg(r, 0, args) != z) { // a row of another subdomain: CROWN's lines on its ranges
                z = pass.arg(r, 0, args);
                lo = z.lo();
                hi = z.hi();
                lower = new double[n][];
                upper = new double[n][];
            }
            double[] ar = a[r];
            double[] x = argA[0][r];
            double[] p = pass.alpha(r);
            for (int i = 0; i < n; i++) {
                double ai = ar[i];
                if (ai == 0) {
                    continue;
                }
                int k = ai > 0 ? i : n + i;
                double[] st;
                if (p != null && sides != null && sides.free(k)) {
                    st = tangent(sides.clamp(k, p[k]), lo[i], hi[i], ai > 0);
                } else if (ai > 0) {
                    st = lower[i] == null ? (lower[i] = line(lo[i], hi[i], true)) : lower[i];
                } else {
                    st = upper[i] == null ? (upper[i] = line(lo[i], hi[i], false)) : upper[i];
                }
                pass.unstable(r, i, ai);
                x[i] += ai * st[0];
                pass.add(r, ai * st[1]);
            }
        }
    }

    /**
     * The relaxed activation at {@code z} (a point of range {@code zr}) for a pass whose coefficients {@code met} met
     * the elements (lower line where positive, upper where negative, the exact function where 0), with tangent points
     * {@code p} (null: CROWN's lines).
     */
    final double[] relaxed(double[] z, Range zr, double[] met, double[] p, Sides sides) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double a = met == null ? 0 : met[i];
            if (a == 0) {
                out[i] = f(z[i]);
                continue;
            }
            int k = a > 0 ? i : n + i;
            double[] st = p != null && sides != null && sides.free(k)
                    ? tangent(sides.clamp(k, p[k]), zr.lo()[i], zr.hi()[i], a > 0)
                    : line(zr.lo()[i], zr.hi()[i], a > 0);
            out[i] = st[0] * z[i] + st[1];
        }
        return out;
    }

    /**
     * Into {@code grad}: the bound's derivative by each free tangent point {@code d} that a coefficient {@code a} met,
     * {@code a · f''(d)(z − d)} ({@code z} the argument through the relaxations at the bound's minimiser).
     */
    final void gradient(double[] z, double[] met, double[] p, Sides sides, double[] grad) {
        for (int i = 0; i < n; i++) {
            double a = met[i];
            int k = a > 0 ? i : n + i;
            if (a != 0 && sides.free(k)) {
                double d = sides.clamp(k, p[k]);
                grad[k] = a * d2f(d) * (z[i] - d);
            }
        }
    }
}
