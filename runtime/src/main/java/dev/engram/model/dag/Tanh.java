package dev.engram.model.dag;

/** {@code Tanh}, computed in double and rounded to float (as the dense reference). */
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
        for (int i = 0; i < n; i++) {
            y[i] = (float) Math.tanh(x[i]);
        }
    }
}
