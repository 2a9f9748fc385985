package dev.engram.verify.graph;

/**
 * The elements one row of a backward pass met at one kind of operator: for each value whose operator is of that kind
 * and each element with a non-zero coefficient, the coefficient and the range of the operator's argument. The walk
 * the split searches score their candidates on ({@link SmartBranching}: ReLU, {@link SCurveSplitSearch}: sigmoid and
 * tanh), each with its own score.
 */
final class MetElements {
    private MetElements() {
    }

    /** What is done with one element: its operator, argument value {@code u}, element, coefficient, range. */
    interface Visitor<T> {
        void visit(T op, int u, int i, double a, double l, double h);
    }

    /**
     * Visits, in value and element order, the elements of the operators of {@code kind} whose coefficient in row
     * {@code r} of {@code met} (a pass's coefficients per value, as recorded) is not 0.
     */
    static <T extends BoundOp> void forEach(GraphBounds g, GraphBounds.Ranges ranges, double[][][] met, int r,
                                            Class<T> kind, Visitor<T> visitor) {
        for (int v = 1; v < met.length; v++) {
            BoundOp op = g.ops().get(v - 1);
            if (met[v] == null || !kind.isInstance(op)) {
                continue;
            }
            int u = g.dag().nodes().get(v - 1).arg(0);
            Range z = ranges.values()[u];
            double[] a = met[v][r];
            for (int i = 0; i < a.length; i++) {
                if (a[i] != 0) {
                    visitor.visit(kind.cast(op), u, i, a[i], z.lo()[i], z.hi()[i]);
                }
            }
        }
    }
}
