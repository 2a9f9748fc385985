package dev.engram.verify.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * A split subdomain's ranges held as what differs from its parent's: for each value whose bounds or error terms
 * changed, the changed elements and their new numbers (or the new array itself, shared, when most elements changed),
 * over the parent's delta, down to the root's full {@link GraphBounds.Ranges}. A split changes a few elements of the
 * early values (its own, the ReLU's output, a pooling window) and the small dense values after them, so a subdomain
 * costs memory in proportion to what it changes, not to the graph. {@link #ranges} rebuilds the full ranges, equal
 * element for element (bit for bit) to the ones the delta was made from. Immutable; the arrays it shares are never
 * changed.
 */
final class RangesDelta {
    /** The new numbers of one array: at elements {@code at}, or the whole array ({@code at} null). */
    private record Diff(int[] at, double[] to) {
        long bytes() {
            return (at == null ? 0 : 12L * at.length + 16) + 16;
        }
    }

    /** The differences of value {@code value}: its lower and upper bounds and its error term (null: unchanged). */
    private record Change(int value, Diff lo, Diff hi, Diff err) {
    }

    private final RangesDelta base;
    private final GraphBounds.Ranges root;
    private final List<Change> changes;
    private final int depth;

    private RangesDelta(RangesDelta base, GraphBounds.Ranges root, List<Change> changes) {
        this.base = base;
        this.root = root;
        this.changes = changes;
        this.depth = base == null ? 0 : base.depth + 1;
    }

    /** The root's ranges, held whole. */
    static RangesDelta root(GraphBounds.Ranges ranges) {
        return new RangesDelta(null, ranges, List.of());
    }

    /**
     * {@code ranges} as a delta over {@code base}, whose full ranges are {@code baseRanges} ({@code base.ranges()},
     * passed in because the caller has built them already).
     */
    static RangesDelta over(RangesDelta base, GraphBounds.Ranges baseRanges, GraphBounds.Ranges ranges) {
        List<Change> changes = new ArrayList<>();
        for (int v = 0; v < ranges.values().length; v++) {
            Range r = ranges.values()[v];
            Range b = baseRanges.values()[v];
            Diff lo = r == b ? null : diff(b == null ? null : b.lo(), r.lo());
            Diff hi = r == b ? null : diff(b == null ? null : b.hi(), r.hi());
            Diff err = diff(baseRanges.errors()[v], ranges.errors()[v]);
            if (lo != null || hi != null || err != null) {
                changes.add(new Change(v, lo, hi, err));
            }
        }
        return new RangesDelta(base, null, List.copyOf(changes));
    }

    /** The differences of {@code to} from {@code from}; null when the same numbers (bit for bit). */
    private static Diff diff(double[] from, double[] to) {
        if (from == to) {
            return null;
        }
        if (from == null || to == null || from.length != to.length) {
            return new Diff(null, to);
        }
        int n = 0;
        int[] at = new int[to.length];
        for (int i = 0; i < to.length; i++) {
            if (Double.doubleToRawLongBits(from[i]) != Double.doubleToRawLongBits(to[i])) {
                at[n++] = i;
            }
        }
        if (n == 0) {
            return null;
        }
        if (3 * n > to.length) {
            return new Diff(null, to); // most changed: share the new array
        }
        at = java.util.Arrays.copyOf(at, n);
        double[] vals = new double[n];
        for (int k = 0; k < n; k++) {
            vals[k] = to[at[k]];
        }
        return new Diff(at, vals);
    }

    /** The full ranges: the root's with every delta on the way here applied (each changed array copied once). */
    GraphBounds.Ranges ranges() {
        if (root != null) {
            return root;
        }
        List<RangesDelta> chain = new ArrayList<>(depth);
        RangesDelta d = this;
        while (d.root == null) {
            chain.add(d);
            d = d.base;
        }
        GraphBounds.Ranges r0 = d.root;
        int nv = r0.values().length;
        double[][] lo = new double[nv][];
        double[][] hi = new double[nv][];
        double[][] err = r0.errors().clone();
        boolean[][] own = new boolean[3][nv];
        boolean[] touched = new boolean[nv];
        for (int v = 0; v < nv; v++) {
            if (r0.values()[v] != null) {
                lo[v] = r0.values()[v].lo();
                hi[v] = r0.values()[v].hi();
            }
        }
        for (int k = chain.size() - 1; k >= 0; k--) {
            for (Change c : chain.get(k).changes) {
                int v = c.value;
                touched[v] = true;
                lo[v] = apply(lo[v], c.lo, own[0], v);
                hi[v] = apply(hi[v], c.hi, own[1], v);
                err[v] = apply(err[v], c.err, own[2], v);
            }
        }
        Range[] values = r0.values().clone();
        for (int v = 0; v < nv; v++) {
            if (touched[v]) {
                values[v] = new Range(lo[v], hi[v]);
            }
        }
        return new GraphBounds.Ranges(values, err, r0.slopes());
    }

    /** {@code a} with {@code d} applied: the new array when whole, else a copy of a (once) changed in place. */
    private static double[] apply(double[] a, Diff d, boolean[] own, int v) {
        if (d == null) {
            return a;
        }
        if (d.at == null) {
            own[v] = false;
            return d.to;
        }
        double[] out = own[v] ? a : a.clone();
        own[v] = true;
        for (int k = 0; k < d.at.length; k++) {
            out[d.at[k]] = d.to[k];
        }
        return out;
    }

    /** The bytes this delta holds itself (not its base's; whole arrays it shares with the ranges it came from). */
    long bytes() {
        long b = 64;
        for (Change c : changes) {
            b += 48;
            for (Diff d : new Diff[] {c.lo, c.hi, c.err}) {
                if (d != null) {
                    b += d.at == null ? 8L * d.to.length + 16 : d.bytes();
                }
            }
        }
        return b;
    }

    /**
     * The bytes of {@code ranges}' arrays that {@code base} does not hold (the same arrays: {@link GraphBounds#refine}
     * keeps a range or error term that did not change).
     */
    static long arraysNotIn(GraphBounds.Ranges ranges, GraphBounds.Ranges base) {
        long b = 0;
        for (int v = 0; v < ranges.values().length; v++) {
            Range r = ranges.values()[v];
            if (r != null && r != base.values()[v]) {
                b += 16L * r.size() + 64;
            }
            double[] e = ranges.errors()[v];
            if (e != null && e != base.errors()[v]) {
                b += 8L * e.length + 16;
            }
        }
        return b;
    }

}
