package dev.engram.model.dag;

import dev.engram.model.kernel.VectorKernel;

/**
 * {@code Sigmoid}: {@code 1 / (1 + e^-x)} computed in double and rounded to float once, as the dense reference does;
 * the exponential is the JDK's vector math library's when the Vector API runs (like {@link Math#exp}, within an ulp
 * of the exact double, so the float results agree but for a double rounding tie, none seen in 2^20 samples).
 */
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
        if (VECTOR) {
            VectorKernel.sigmoid(x, y, n);
        } else {
            for (int i = 0; i < n; i++) {
                y[i] = (float) (1.0 / (1.0 + Math.exp(-(double) x[i])));
            }
        }
    }
}
