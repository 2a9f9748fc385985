package dev.engram.lower.repair;

import dev.engram.verify.LinearConstraint;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unsafe sets of output comparisons: "WL or COC is the decision" (arg-min over 5 outputs) negates into 15
 * conjunctions, simplified to the 3 "some other output beats both", and {@link UnsafeSets#sameSet} confirms exactly
 * that both are the same set, while a set with a conjunction missing, or one that is not made of comparisons, is not
 * confirmed.
 */
class UnsafeSetsTest {
    static final int M = 5;

    /** {@code y_p <= y_q}. */
    static LinearConstraint le(int p, int q) {
        double[] a = new double[M];
        a[p] = 1;
        a[q] = -1;
        return new LinearConstraint(a, 0);
    }

    /** not (X or Y is the arg-min): for each pair (p, q), y_p <= y_X and y_q <= y_Y, the pair (Y, X) left out. */
    static List<List<LinearConstraint>> neitherDecides(int x, int y) {
        List<List<LinearConstraint>> out = new ArrayList<>();
        for (int p = 0; p < M; p++) {
            for (int q = 0; q < M; q++) {
                if (p != x && q != y && !(p == y && q == x)) {
                    out.add(List.of(le(p, x), le(q, y)));
                }
            }
        }
        return out;
    }

    @Test
    void decisionDisjunctionsSimplifyToTheSameSet() {
        List<List<LinearConstraint>> full = neitherDecides(1, 0);
        assertEquals(15, full.size());
        List<List<LinearConstraint>> simple = UnsafeSets.simplify(full);
        assertEquals(3, simple.size(), simple.toString());
        assertTrue(UnsafeSets.sameSet(simple, full));
        assertTrue(UnsafeSets.sameSet(full, simple));
    }

    @Test
    void differentSetsAreNotConfirmed() {
        List<List<LinearConstraint>> full = neitherDecides(1, 0);
        List<List<LinearConstraint>> simple = new ArrayList<>(UnsafeSets.simplify(full));
        simple.remove(0);
        assertFalse(UnsafeSets.sameSet(simple, full));
        // a bound other than 0 is not a comparison: not decided, so not confirmed
        List<List<LinearConstraint>> shifted = List.of(List.of(new LinearConstraint(le(2, 1).coefficients(), 0.5)));
        assertFalse(UnsafeSets.sameSet(shifted, shifted));
    }
}
