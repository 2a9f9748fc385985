package dev.engram.model.dag;

/**
 * An element-wise operator of two operands with ONNX (numpy) broadcasting: two computed values (a residual
 * {@code Add}), or a computed value and a constant on either side. The index maps from result elements to operand
 * elements are built once, when the operator is read.
 */
public abstract class Binary implements Op {
    private final Shape shape;
    private final int[] mapA; // result element -> element of the first argument (null: the same element)
    private final int[] mapB; // result element -> element of the second argument or of the constant (null: same)
    private final float[] constant; // null when both operands are data
    private final boolean constantFirst; // the constant is the left operand (c - x, c / x)

    Binary(Operands o) {
        this.shape = o.shape;
        this.mapA = o.mapA;
        this.mapB = o.mapB;
        this.constant = o.constant;
        this.constantFirst = o.constantFirst;
    }

    /** The operands as read: the result shape, index maps and the constant, if any. */
    static final class Operands {
        final Shape shape;
        final int[] mapA;
        final int[] mapB;
        final float[] constant;
        final boolean constantFirst;

        private Operands(Shape shape, int[] mapA, int[] mapB, float[] constant, boolean constantFirst) {
            this.shape = shape;
            this.mapA = mapA;
            this.mapB = mapB;
            this.constant = constant;
            this.constantFirst = constantFirst;
        }
    }

    /** Reads two operands; a constant one is kept as a constant, the other taken as data. */
    static Operands operands(OpReader r) {
        r.inputs(2, 2);
        Shape a = r.shape(0);
        Shape b = r.shape(1);
        Shape out = broadcast(r, a, b);
        if (r.isConstant(1) || !r.isConstant(0)) {
            r.data(0);
            boolean both = !r.isConstant(1);
            if (both) {
                r.data(1);
            }
            return new Operands(out, map(a, out), map(b, out), both ? null : r.floats(1), false);
        }
        r.data(1);
        return new Operands(out, map(b, out), map(a, out), r.floats(0), true);
    }

    /** The numpy broadcast of two shapes, or an error naming the node. */
    static Shape broadcast(OpReader r, Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        long[] d = new long[rank];
        for (int k = 0; k < rank; k++) {
            int da = k - (rank - a.rank()) >= 0 ? a.dim(k - (rank - a.rank())) : 1;
            int db = k - (rank - b.rank()) >= 0 ? b.dim(k - (rank - b.rank())) : 1;
            if (da != db && da != 1 && db != 1) {
                throw r.error("shapes " + a + " and " + b + " do not broadcast");
            }
            d[k] = da == 1 ? db : da;
        }
        return r.checked("broadcast result", d);
    }

    /** For every element of {@code out}, the element of {@code s} broadcast to it; null when s equals out. */
    static int[] map(Shape s, Shape out) {
        if (s.equals(out)) {
            return null;
        }
        int rank = out.rank();
        int[] stride = new int[rank]; // stride of s per result axis, 0 where broadcast
        int st = 1;
        for (int k = rank - 1; k >= 0; k--) {
            int sk = k - (rank - s.rank());
            int dim = sk >= 0 ? s.dim(sk) : 1;
            stride[k] = dim == 1 ? 0 : st;
            st *= dim;
        }
        int n = out.size();
        int[] m = new int[n];
        int[] idx = new int[rank];
        int pos = 0;
        for (int f = 0; f < n; f++) {
            m[f] = pos;
            for (int k = rank - 1; k >= 0; k--) {
                idx[k]++;
                pos += stride[k];
                if (idx[k] < out.dim(k)) {
                    break;
                }
                pos -= stride[k] * idx[k];
                idx[k] = 0;
            }
        }
        return m;
    }

    @Override
    public final Shape shape() {
        return shape;
    }

    /** The constant operand (a copy), or null when both operands are computed. */
    /**
     * The element of operand {@code operand} (0 or 1; with a constant, 1 is the constant) that result element
     * {@code f} reads, after broadcasting; the constant is operand 1 even when it is written first.
     */
    public final int operandElement(int operand, int f) {
        int[] map = operand == 0 ? mapA : mapB;
        return map == null ? f : map[f];
    }

    public final float[] constant() {
        return constant == null ? null : constant.clone();
    }

    /** Whether the constant is the left operand. */
    public final boolean constantFirst() {
        return constantFirst;
    }

    /**
     * For a constant operand added to a value of the result's own shape, the constant's value at each result element;
     * null otherwise.
     */
    final float[] constantPerElement() {
        if (constant == null || mapA != null) {
            return null;
        }
        float[] v = new float[shape.size()];
        for (int f = 0; f < v.length; f++) {
            v[f] = constant[mapB == null ? f : mapB[f]];
        }
        return v;
    }

    @Override
    public String describe() {
        return constant == null ? "" : (constantFirst ? "constant first, " : "") + "constant of " + constant.length;
    }

    @Override
    public final void forward(float[][] in, float[] out, int lanes, Scratch scratch) {
        int n = shape.size();
        float[] a = in[0];
        for (int f = 0; f < n; f++) {
            int fa = mapA == null ? f : mapA[f];
            int fb = mapB == null ? f : mapB[f];
            if (constant == null) {
                both(a, fa * lanes, in[1], fb * lanes, out, f * lanes, lanes);
            } else {
                withConstant(a, fa * lanes, constant[fb], constantFirst, out, f * lanes, lanes);
            }
        }
    }

    /** {@code y[yo+i] = a[ao+i] op b[bo+i]} for i in [0, n). */
    abstract void both(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n);

    /** {@code y[yo+i] = x[xo+i] op c}, or {@code c op x[xo+i]} when {@code constantFirst}, for i in [0, n). */
    abstract void withConstant(float[] x, int xo, float c, boolean constantFirst, float[] y, int yo, int n);
}
