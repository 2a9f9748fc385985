package dev.engram.lower.repair;

import dev.engram.verify.LinearConstraint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Unsafe sets (unions of conjunctions of {@code a·y <= b} over the outputs) rewritten with fewer conjunctions, and
 * whether a union covers every output. A rule's consequent in conjunctive normal form negates into many
 * conjunctions that lie inside the others: "WL or COC is the decision" gives 15, of which the 3 "some other output
 * beats both" hold all the rest. The repair refutes each conjunction on each subdomain through one constraint, so
 * every redundant conjunction is a further demand on the output layer that the set itself does not make.
 *
 * <p>Decided by small linear programs over the outputs (OR-Tools GLOP): a conjunction is dropped when every one of
 * its points lies in a conjunction kept (searched over one violated constraint per other conjunction). The rewrite
 * only steers the repair, except for sets of output comparisons ({@link #comparisons}): there {@link #sameSet}
 * decides equality exactly, and the simplified set may be what the verifier proves (it is the same set).
 */
public final class UnsafeSets {
    /** Comparison sets over more outputs than this are not decided exactly (the check enumerates m^m orders). */
    static final int EXACT_OUTPUTS = 7;
    /** Room (relative to a constraint's size) by which a point must violate a constraint to count as outside it. */
    static final double ROOM = 1e-7;
    /** Linear programs allowed per containment question; past it the conjunction is kept. */
    static final int BUDGET = 4000;

    private UnsafeSets() {
    }

    /**
     * The same set with fewer conjunctions: exact duplicates, empty conjunctions, conjunctions inside another one
     * (absorption), then conjunctions inside the union of the others (those over the most outputs first).
     */
    static List<List<LinearConstraint>> simplify(List<List<LinearConstraint>> unsafe) {
        List<List<LinearConstraint>> set = new ArrayList<>();
        for (List<LinearConstraint> c : unsafe) {
            if (set.stream().noneMatch(o -> same(o, c)) && !inside(c, List.of())) {
                set.add(c);
            }
        }
        if (set.size() < 2) {
            return set;
        }
        // absorption: A ∪ B = B when A ⊆ B (of two equal sets, the later one goes)
        for (int i = set.size() - 1; i >= 0; i--) {
            List<LinearConstraint> c = set.get(i);
            for (int j = 0; j < set.size(); j++) {
                if (j != i && inside(c, List.of(set.get(j)))) {
                    set.remove(i);
                    break;
                }
            }
        }
        List<List<LinearConstraint>> order = new ArrayList<>(set);
        order.sort(Comparator.comparingInt(c -> -outputsUsed(c)));
        for (List<LinearConstraint> c : order) {
            List<List<LinearConstraint>> others = new ArrayList<>(set);
            others.remove(c);
            if (!others.isEmpty() && inside(c, others)) {
                set.remove(c);
            }
        }
        return List.copyOf(set);
    }

    /**
     * True when every constraint of both sets is an output comparison ({@link #comparisons}) over at most
     * {@link #EXACT_OUTPUTS} outputs, and the two unions hold exactly the same output vectors. Exact: whether
     * {@code y} lies in such a set depends only on how its entries are ordered (ties included), and every such order
     * is the order of some vector of ranks in {@code {0..m-1}^m}, all of which are tried.
     */
    public static boolean sameSet(List<List<LinearConstraint>> a, List<List<LinearConstraint>> b) {
        if (!comparisons(a) || !comparisons(b)) {
            return false;
        }
        int m = outputs(a, b);
        if (m < 0) {
            return a.isEmpty() && b.isEmpty();
        }
        if (m > EXACT_OUTPUTS) {
            return false;
        }
        double[] y = new double[m];
        int[] digits = new int[m];
        while (true) {
            for (int j = 0; j < m; j++) {
                y[j] = digits[j];
            }
            if (inUnion(a, y) != inUnion(b, y)) {
                return false;
            }
            int j = 0;
            while (j < m && ++digits[j] == m) {
                digits[j++] = 0;
            }
            if (j == m) {
                return true;
            }
        }
    }

    /**
     * True when every constraint reads {@code c·y_p - c·y_q <= 0} with {@code c > 0} and {@code p != q} (an
     * output comparison {@code y_p <= y_q}), as "X is the decision" and its negations are.
     */
    static boolean comparisons(List<List<LinearConstraint>> union) {
        for (List<LinearConstraint> conj : union) {
            for (LinearConstraint c : conj) {
                if (c.bound() != 0) {
                    return false;
                }
                int pos = 0;
                int neg = 0;
                double pv = 0;
                double nv = 0;
                for (double v : c.coefficients()) {
                    if (v > 0) {
                        pos++;
                        pv = v;
                    } else if (v < 0) {
                        neg++;
                        nv = v;
                    }
                }
                if (pos != 1 || neg != 1 || pv != -nv) {
                    return false;
                }
            }
        }
        return true;
    }

    private static int outputs(List<List<LinearConstraint>> a, List<List<LinearConstraint>> b) {
        for (List<List<LinearConstraint>> u : List.of(a, b)) {
            for (List<LinearConstraint> conj : u) {
                if (!conj.isEmpty()) {
                    return conj.get(0).coefficients().length;
                }
            }
        }
        return -1;
    }

    private static boolean inUnion(List<List<LinearConstraint>> union, double[] y) {
        for (List<LinearConstraint> conj : union) {
            boolean all = true;
            for (LinearConstraint c : conj) {
                double s = 0;
                for (int j = 0; j < y.length; j++) {
                    s += c.coefficients()[j] * y[j];
                }
                if (s > 0) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** True when the union of {@code union}'s conjunctions holds every output vector of dimension {@code m}. */
    static boolean coversEverything(List<List<LinearConstraint>> union, int m) {
        return inside(List.of(new LinearConstraint(new double[m], 0)), union);
    }

    /** True when every point of {@code conj} lies in some conjunction of {@code union} (false when undecided). */
    static boolean inside(List<LinearConstraint> conj, List<List<LinearConstraint>> union) {
        int[] budget = {BUDGET};
        return inside(conj, union, 0, new ArrayList<>(), budget) && budget[0] >= 0;
    }

    /**
     * Depth-first over one violated constraint per conjunction of {@code union} from {@code level} on: true when no
     * choice leaves a point of {@code conj} that violates every chosen constraint.
     */
    private static boolean inside(List<LinearConstraint> conj, List<List<LinearConstraint>> union, int level,
                                  List<LinearConstraint> violated, int[] budget) {
        if (--budget[0] < 0) {
            return false;
        }
        if (!feasible(conj, violated)) {
            return true;
        }
        if (level == union.size()) {
            return false;
        }
        for (LinearConstraint c : union.get(level)) {
            violated.add(c);
            boolean in = inside(conj, union, level + 1, violated, budget);
            violated.remove(violated.size() - 1);
            if (!in) {
                return false;
            }
        }
        return true;
    }

    /** True when some {@code y} satisfies {@code conj} and violates every one of {@code violated} with room. */
    private static boolean feasible(List<LinearConstraint> conj, List<LinearConstraint> violated) {
        int m = conj.isEmpty() ? violated.get(0).coefficients().length : conj.get(0).coefficients().length;
        try (LinearProgram lp = LinearProgram.create()) {
            int[] y = new int[m];
            for (int j = 0; j < m; j++) {
                y[j] = lp.variable(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0);
            }
            int t = lp.variable(0, 1, -1);
            for (LinearConstraint c : conj) {
                lp.row(Double.NEGATIVE_INFINITY, c.bound(), y, c.coefficients());
            }
            int[] idx = new int[m + 1];
            System.arraycopy(y, 0, idx, 0, m);
            idx[m] = t;
            for (LinearConstraint c : violated) {
                // a·y >= b + t·size: violated by a share t of the constraint's size
                double[] coef = new double[m + 1];
                System.arraycopy(c.coefficients(), 0, coef, 0, m);
                coef[m] = -size(c);
                lp.row(c.bound(), Double.POSITIVE_INFINITY, idx, coef);
            }
            LinearProgram.Solution s = lp.solve(10);
            if (s.status() == LinearProgram.Status.INFEASIBLE) {
                return false;
            }
            // undecided solves count as feasible: the conjunction is then kept
            return !s.found() || violated.isEmpty() || s.values()[t] > ROOM;
        }
    }

    private static double size(LinearConstraint c) {
        double s = Math.abs(c.bound());
        for (double a : c.coefficients()) {
            s = Math.max(s, Math.abs(a));
        }
        return Math.max(s, 1e-300);
    }

    private static int outputsUsed(List<LinearConstraint> conj) {
        int m = conj.get(0).coefficients().length;
        int n = 0;
        for (int j = 0; j < m; j++) {
            for (LinearConstraint c : conj) {
                if (c.coefficients()[j] != 0) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    private static boolean same(List<LinearConstraint> a, List<LinearConstraint> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int k = 0; k < a.size(); k++) {
            if (!java.util.Arrays.equals(a.get(k).coefficients(), b.get(k).coefficients())
                    || a.get(k).bound() != b.get(k).bound()) {
                return false;
            }
        }
        return true;
    }
}
