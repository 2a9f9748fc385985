package dev.engram.verify;

import dev.engram.verify.bounds.Rounding;

import java.util.ArrayList;
import java.util.List;

/**
 * Exact checks on sets of boxes, for proofs that are split into parts, and on a box under linear input constraints.
 */
public final class Boxes {
    private Boxes() {
    }

    /** True when {@code inner} lies inside {@code outer} (closed boxes). */
    public static boolean inside(Box inner, Box outer) {
        for (int i = 0; i < inner.dimension(); i++) {
            if (inner.lo()[i] < outer.lo()[i] || inner.hi()[i] > outer.hi()[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when {@code parts} cover {@code whole} exactly as a guillotine partition (what repeated bisection
     * produces): every part lies inside {@code whole}, and {@code whole} can be cut recursively, with exact
     * floating-point comparisons, along part faces until every piece is one of the parts. Overlapping or
     * non-guillotine parts give {@code false}, never a wrong {@code true}, so a property proved on every part
     * holds on {@code whole}.
     */
    public static boolean covers(Box whole, List<Box> parts) {
        for (Box p : parts) {
            if (!inside(p, whole)) {
                return false;
            }
        }
        return tile(whole, parts, 0);
    }

    private static boolean tile(Box b, List<Box> parts, int depth) {
        if (parts.isEmpty() || depth > 4096) {
            return false;
        }
        for (Box p : parts) {
            if (java.util.Arrays.equals(p.lo(), b.lo()) && java.util.Arrays.equals(p.hi(), b.hi())) {
                return true;
            }
        }
        int d = b.dimension();
        for (int i = 0; i < d; i++) {
            for (Box p : parts) {
                for (double c : new double[] {p.lo()[i], p.hi()[i]}) {
                    if (!(c > b.lo()[i] && c < b.hi()[i])) {
                        continue;
                    }
                    List<Box> left = new ArrayList<>();
                    List<Box> right = new ArrayList<>();
                    boolean clean = true;
                    for (Box q : parts) {
                        if (q.hi()[i] <= c) {
                            left.add(q);
                        } else if (q.lo()[i] >= c) {
                            right.add(q);
                        } else {
                            clean = false;
                            break;
                        }
                    }
                    if (!clean) {
                        continue;
                    }
                    double[] hi = b.hi().clone();
                    hi[i] = c;
                    double[] lo = b.lo().clone();
                    lo[i] = c;
                    return tile(new Box(b.lo(), hi), left, depth + 1) && tile(new Box(lo, b.hi()), right, depth + 1);
                }
            }
        }
        return false;
    }

    /**
     * True when the input constraints cannot hold anywhere in the box: some constraint's minimum over the box, lowered
     * by its rounding ({@code γ_{d+1} Σ_i |p_i| max|x_i|}), exceeds its bound.
     */
    static boolean infeasible(List<LinearConstraint> cons, double[] lo, double[] hi) {
        for (LinearConstraint c : cons) {
            double min = 0;
            double size = 0;
            for (int i = 0; i < lo.length; i++) {
                double a = c.coefficients()[i];
                min += a > 0 ? a * lo[i] : a * hi[i];
                size += Math.abs(a) * Math.max(Math.abs(lo[i]), Math.abs(hi[i]));
            }
            double err = Rounding.up(Rounding.gamma(lo.length + 1) * size + Rounding.TINY, lo.length);
            if (Math.nextDown(min - err) > c.bound()) {
                return true;
            }
        }
        return false;
    }
}
