package dev.engram.model.dag;

/** {@code Relu}: {@code x > 0 ? x : 0} (NaN and -0 become +0, as in {@link dev.engram.model.DenseNetwork}). */
public final class Relu extends Unary {

    public Relu(Shape shape) {
        super(shape);
    }

    static Op read(OpReader r) {
        return new Relu(readInput(r));
    }

    @Override
    public String type() {
        return "Relu";
    }

    @Override
    public void apply(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[i];
            y[i] = v > 0f ? v : 0f;
        }
    }
}
