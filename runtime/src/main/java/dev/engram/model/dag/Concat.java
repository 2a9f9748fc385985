package dev.engram.model.dag;

import java.util.Arrays;

/** {@code Concat} along one axis of values of the same rank and other dimensions (constants fed as data). */
public final class Concat implements Op {
    private final Shape shape;
    private final int[] blocks; // per argument: its elements per index of the dimensions before the axis
    private final int outer;

    private Concat(Shape shape, int[] blocks, int outer) {
        this.shape = shape;
        this.blocks = blocks;
        this.outer = outer;
    }

    /** Per argument, its elements per index of the dimensions before the axis (a copy). */
    public int[] blocks() {
        return blocks.clone();
    }

    /** Indices of the dimensions before the axis: the result is {@code outer} rounds of one block per argument. */
    public int outer() {
        return outer;
    }

    static Op read(OpReader r) {
        int n = r.inputCount();
        if (n < 1) {
            throw r.error("Concat needs inputs");
        }
        Shape first = r.shape(0);
        if (!r.hasAttr("axis")) {
            throw r.error("Concat needs axis");
        }
        int axis = r.axis(r.intAttr("axis", Long.MIN_VALUE), Math.max(1, first.rank()), "axis");
        int[] d = first.dims();
        int[] blocks = new int[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            Shape s = r.data(i);
            boolean ok = s.rank() == first.rank();
            for (int k = 0; ok && k < s.rank(); k++) {
                ok = k == axis || s.dim(k) == first.dim(k);
            }
            if (!ok) {
                throw r.error("input " + i + " " + s + " does not fit " + first + " along axis " + axis);
            }
            total += s.dim(axis);
            blocks[i] = s.sizeFrom(axis);
        }
        long[] dims = new long[d.length];
        for (int k = 0; k < d.length; k++) {
            dims[k] = k == axis ? total : d[k];
        }
        Shape out = r.checked("result", dims);
        int outer = 1;
        for (int k = 0; k < axis; k++) {
            outer *= d[k];
        }
        return new Concat(out, blocks, outer);
    }

    @Override
    public String type() {
        return "Concat";
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public String describe() {
        return "parts " + Arrays.toString(blocks);
    }

    @Override
    public void forward(float[][] in, float[] out, int lanes, Scratch scratch) {
        int o = 0;
        for (int b = 0; b < outer; b++) {
            for (int i = 0; i < blocks.length; i++) {
                int len = blocks[i] * lanes;
                System.arraycopy(in[i], b * len, out, o, len);
                o += len;
            }
        }
    }
}
