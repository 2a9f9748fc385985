package dev.engram.verify.graph;

import java.util.Arrays;

/**
 * The slopes (and S-curve tangent points) that the α-optimised tightening passes of a box's ranges ended with, one
 * set per element and side of each tightened value: a subdomain's recomputed ranges ({@link GraphBounds#refine}) start
 * their passes from them instead of CROWN's adaptive choice. Any slopes give valid bounds (each pass keeps its best
 * iterate, the start among them), so this changes only how tight a subdomain's ranges are, never their validity.
 * The ReLU slopes are held for the elements unstable on the box's ranges only ({@link BetaCrown.Params#sparse}); a
 * subdomain's unstable elements are among them. Immutable once built; shared by every subdomain of the box.
 */
public final class RangeSlopes {
    /** Doubles held at most (the slopes of every element of every tightened value: 8 bytes each): 64 MB. */
    private static final long BUDGET = Long.getLong("engram.verify.rangeSlopesBudget", 8L << 20);

    /** Per value: row of each element in {@link #lower}/{@link #upper} (−1: none), or null for no slopes. */
    private final int[][] rowOf;
    private final BetaCrown.Params[] lower;
    private final BetaCrown.Params[] upper;
    private long held;

    RangeSlopes(int values) {
        rowOf = new int[values][];
        lower = new BetaCrown.Params[values];
        upper = new BetaCrown.Params[values];
    }

    /**
     * Stores value v's slopes: element {@code which[k]}'s are row {@code k % chunk} of {@code lo[k / chunk]} (its
     * lower bound's pass) and of {@code hi[k / chunk]}, each chunk's parameters sparse on the same ranges; nothing
     * when a chunk is missing or the budget would be exceeded. Called while the box's ranges are built, value by
     * value, before the result is shared.
     */
    void put(int v, int size, int[] which, int count, int chunk, BetaCrown.Params[] lo, BetaCrown.Params[] hi) {
        if (count == 0 || Arrays.asList(lo).contains(null) || Arrays.asList(hi).contains(null)) {
            return;
        }
        long n = 2L * count * width(lo[0]);
        if (held + n > BUDGET) {
            return;
        }
        held += n;
        int[] rows = new int[size];
        Arrays.fill(rows, -1);
        for (int k = 0; k < count; k++) {
            rows[which[k]] = k;
        }
        rowOf[v] = rows;
        lower[v] = concat(lo, count, chunk);
        upper[v] = concat(hi, count, chunk);
    }

    /** Slopes per row of one parameter set (the sum over its values). */
    private static long width(BetaCrown.Params p) {
        long w = 0;
        for (double[][] a : p.alpha()) {
            w += a == null || a.length == 0 ? 0 : a[0].length;
        }
        return w;
    }

    /** The chunks' rows one after the other (the same sparse index in every chunk). */
    private static BetaCrown.Params concat(BetaCrown.Params[] chunks, int count, int chunk) {
        int nv = chunks[0].alpha().length;
        double[][][] alpha = new double[nv][][];
        for (int u = 0; u < nv; u++) {
            if (chunks[0].alpha()[u] == null) {
                continue;
            }
            alpha[u] = new double[count][];
            for (int k = 0; k < count; k++) {
                alpha[u][k] = chunks[k / chunk].alpha()[u][k % chunk];
            }
        }
        return new BetaCrown.Params(alpha, new double[count][0], new double[count][0], chunks[0].index());
    }

    /**
     * The start for passes bounding elements {@code elements} of value v from below ({@code sign} 1) or above (−1):
     * their stored slopes, row by row; null when v or one of the elements has none.
     */
    BetaCrown.Params start(int v, int[] elements, int sign) {
        if (rowOf[v] == null) {
            return null;
        }
        BetaCrown.Params p = sign > 0 ? lower[v] : upper[v];
        double[][][] alpha = new double[p.alpha().length][][];
        for (int u = 0; u < alpha.length; u++) {
            if (p.alpha()[u] != null) {
                alpha[u] = new double[elements.length][];
            }
        }
        for (int r = 0; r < elements.length; r++) {
            int k = rowOf[v][elements[r]];
            if (k < 0) {
                return null;
            }
            for (int u = 0; u < alpha.length; u++) {
                if (alpha[u] != null) {
                    alpha[u][r] = p.alpha()[u][k];
                }
            }
        }
        int m = elements.length;
        return new BetaCrown.Params(alpha, new double[m][0], new double[m][0], p.index());
    }
}
