package dev.engram.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Premise cases against the declared input domain, in real units: a case is intersected with the domain (its
 * single-variable constraints become box bounds, and it is dropped when empty), and a bound that reaches outside
 * the domain is described for {@code W102}.
 */
final class DomainClip {
    private final Scope scope;

    DomainClip(Scope scope) {
        this.scope = scope;
    }

    /** Intersects a case with the declared domain; single-variable constraints become box bounds. Null if empty. */
    PremiseCase toBox(NormalForms.Case c) {
        int n = scope.inputWidth;
        double[] lo = new double[n];
        double[] hi = new double[n];
        Arrays.fill(lo, Double.NEGATIVE_INFINITY);
        Arrays.fill(hi, Double.POSITIVE_INFINITY);
        for (CheckedProgram.Input in : scope.inputs.values()) {
            for (int k = 0; k < in.width(); k++) {
                lo[in.index() + k] = in.lo();
                hi[in.index() + k] = in.hi();
            }
        }
        List<Linear> rest = new ArrayList<>();
        for (Linear l : c.cons()) {
            int var = singleVariable(l);
            if (var == -1) {
                if (l.strict() ? !(0 < l.bound()) : !(0 <= l.bound())) {
                    return null;
                }
            } else if (var >= 0) {
                double a = l.coefficients()[var];
                double v = l.bound() / a;
                if (a > 0) {
                    hi[var] = Math.min(hi[var], v);
                } else {
                    lo[var] = Math.max(lo[var], v);
                }
                if (l.strict() && lo[var] >= hi[var]) {
                    return null;
                }
            } else {
                rest.add(l);
            }
        }
        for (int i = 0; i < n; i++) {
            if (lo[i] > hi[i]) {
                return null;
            }
        }
        for (Linear l : rest) {
            double min = 0;
            for (int i = 0; i < n; i++) {
                double a = l.coefficients()[i];
                if (a > 0) {
                    min += a * lo[i];
                } else if (a < 0) {
                    min += a * hi[i];
                }
            }
            if (min > l.bound() || (l.strict() && min >= l.bound())) {
                return null;
            }
        }
        return new PremiseCase(lo, hi, rest, c.learned());
    }

    /** The only variable {@code l} constrains; -1 for none, -2 for several. */
    private static int singleVariable(Linear l) {
        int var = -1;
        for (int i = 0; i < l.coefficients().length; i++) {
            if (l.coefficients()[i] != 0) {
                if (var >= 0) {
                    return -2;
                }
                var = i;
            }
        }
        return var;
    }

    /**
     * Describes the first bound of {@code c} on a single real input that lies strictly outside the input's declared
     * domain (an upper bound above it, a lower bound below it), or null when every bound is inside.
     */
    String outsideDomain(NormalForms.Case c) {
        for (Linear l : c.cons()) {
            int var = singleVariable(l);
            if (var < 0) {
                continue;
            }
            CheckedProgram.Input in = null;
            for (CheckedProgram.Input x : scope.inputs.values()) {
                if (!x.categorical() && x.index() == var) {
                    in = x;
                }
            }
            if (in == null) {
                continue;
            }
            double[] co = l.coefficients();
            double v = l.bound() / co[var];
            double tol = 1e-9 * Math.max(1, Math.abs(v));
            if (co[var] > 0 && v > in.hi() + tol) {
                return in.name() + (l.strict() ? " < " : " <= ") + Scope.fmt(v) + " but " + in.name() + " is at most "
                        + Scope.fmt(in.hi());
            }
            if (co[var] < 0 && v < in.lo() - tol) {
                return in.name() + (l.strict() ? " > " : " >= ") + Scope.fmt(v) + " but " + in.name() + " is at least "
                        + Scope.fmt(in.lo());
            }
        }
        return null;
    }
}
