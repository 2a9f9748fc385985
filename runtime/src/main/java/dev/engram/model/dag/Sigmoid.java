package dev.engram.model.dag;

/** {@code Sigmoid}: {@code 1 / (1 + e^-x)} computed in double and rounded to float (as the dense reference). */
public final class Sigmoid extends Unary {

    public Sigmoid(Shape shape) {
        super(shape);
    }

    static Op read(OpReader r) {
        return new Sigmoid(readInput(r));
    }

    @Override
    public String type() {
        return "Sigmoid";
    }

    @Override
    public void apply(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = (float) (1.0 / (1.0 + Math.exp(-(double) x[i])));
        }
    }
}
