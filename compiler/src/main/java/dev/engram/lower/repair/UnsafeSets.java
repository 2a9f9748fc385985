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
 * only steers the repair: what is proved afterwards is the property as given, so a numerical slip here costs a
 * failed proof, never a wrong one.
 */
final class UnsafeSets {
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
