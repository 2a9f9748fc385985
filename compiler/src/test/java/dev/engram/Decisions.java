package dev.engram;

import dev.engram.verify.LinearConstraint;

import java.util.ArrayList;
import java.util.List;

/** Output constraints of arg-max and arg-min decisions, for the compiler's tests (one builder instead of one per test). */
public final class Decisions {
    private Decisions() {
    }

    /** "output {@code k} is the arg-max of {@code out} outputs": {@code y_j - y_k <= 0} for every other {@code j}. */
    public static List<LinearConstraint> isArgmax(int k, int out) {
        List<LinearConstraint> conj = new ArrayList<>();
        for (int j = 0; j < out; j++) {
            if (j != k) {
                double[] a = new double[out];
                a[j] = 1;
                a[k] = -1;
                conj.add(new LinearConstraint(a, 0));
            }
        }
        return conj;
    }

    /** "output {@code k} is the arg-min of {@code out} outputs": {@code y_k - y_j <= 0} for every other {@code j}. */
    public static List<LinearConstraint> isArgmin(int k, int out) {
        return isArgmax(k, out).stream().map(c -> new LinearConstraint(negated(c.coefficients()), 0)).toList();
    }

    private static double[] negated(double[] a) {
        double[] n = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            n[i] = -a[i];
        }
        return n;
    }

    /** The unsafe set (one conjunction) of "output {@code k} is never the arg-max", or the set "k is decided". */
    public static List<List<LinearConstraint>> argmax(int k, int out) {
        return List.of(isArgmax(k, out));
    }
}
