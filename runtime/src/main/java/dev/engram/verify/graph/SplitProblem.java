package dev.engram.verify.graph;

import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;

import java.util.List;

/**
 * What a split search ({@link ReluSplitSearch}, {@link SCurveSplitSearch}) works on: one conjunction of the unsafe
 * set, {@code rows[j] · ŷ <= stop[j]} for every j, over one box of graph {@code g}, until {@code deadline}; the
 * conjunction is refuted on a subdomain when some row's lower bound is above its threshold. {@code attack} executes
 * candidate witnesses (shared by the search's workers, one at a time).
 */
record SplitProblem(GraphBounds g, GraphAttack attack, Box box, double[][] rows, double[] stop, Deadline deadline) {

    /** The row closest to refuting the conjunction: the largest {@code bound − stop} (the first of equals). */
    int closest(GraphBounds.Linear lin) {
        int bj = 0;
        for (int j = 1; j < rows.length; j++) {
            if (lin.bound()[j] - stop[j] > lin.bound()[bj] - stop[bj]) {
                bj = j;
            }
        }
        return bj;
    }

    /** Row j's margin {@code bound − stop}: above 0 refutes the conjunction. */
    double margin(GraphBounds.Linear lin, int j) {
        return lin.bound()[j] - stop[j];
    }

    /**
     * A witness near the input corner that minimises row j's linear bound over {@code input} (the subdomain's input
     * range), found by the attack and re-executed by it, or null.
     */
    double[] witnessNear(GraphBounds.Linear lin, int j, Range input) {
        double[] x = BetaCrown.minimiser(lin.coef()[j], input);
        synchronized (attack) {
            return attack.search(box, 0, 0, 0, List.of(x), deadline);
        }
    }
}
