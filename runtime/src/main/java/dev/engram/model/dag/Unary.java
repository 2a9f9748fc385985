package dev.engram.model.dag;

import dev.engram.model.kernel.Kernels;

/** An element-wise operator of one argument: the result has the argument's shape. */
public abstract class Unary implements Op {
    /** Whether the element-wise loops run on the Vector API. */
    static final boolean VECTOR = Kernels.vector();

    private final Shape shape;

    Unary(Shape shape) {
        this.shape = shape;
    }

    /** Reads the one data input of an element-wise operator. */
    static Shape readInput(OpReader r) {
        r.inputs(1, 1);
        return r.data(0);
    }

    @Override
    public final Shape shape() {
        return shape;
    }

    @Override
    public final void forward(float[][] in, float[] out, int lanes, Scratch scratch) {
        apply(in[0], out, shape.size() * lanes);
    }

    /** {@code y[i] = f(x[i])} for i in [0, n) ({@code x} and {@code y} may be the same array). */
    public abstract void apply(float[] x, float[] y, int n);
}
