package dev.engram.model.dag;

import dev.engram.model.kernel.VectorKernel;

/**
 * {@code Tanh}, computed in double and rounded to float once, as the dense reference does (on the vector math
 * library when the Vector API runs; see {@link Sigmoid}).
 */
public final class Tanh extends Unary {

    public Tanh(Shape shape) {
        super(shape);
    }

    static Op read(OpReader r) {
        return new Tanh(readInput(r));
    }

    @Override
    public String type() {
        return "Tanh";
    }

    @Override
    public void apply(float[] x, float[] y, int n) {
        if (VECTOR) {
            VectorKernel.tanh(x, y, n);
        } else {
            for (int i = 0; i < n; i++) {
                y[i] = (float) Math.tanh(x[i]);
            }
        }
    }
}
