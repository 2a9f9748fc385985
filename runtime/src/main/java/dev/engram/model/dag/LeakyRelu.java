package dev.engram.model.dag;

/**
 * {@code LeakyRelu}: {@code x > 0 ? x : alpha * x}, the product rounded once to float (alpha is kept as a double so
 * that a dense layer's alpha gives the same bits as {@link dev.engram.model.DenseNetwork#evaluate}).
 */
public final class LeakyRelu extends Unary {
    private final double alpha;

    public LeakyRelu(Shape shape, double alpha) {
        super(shape);
        this.alpha = alpha;
    }

    static Op read(OpReader r) {
        float alpha = r.floatAttr("alpha", 0.01f);
        return new LeakyRelu(readInput(r), alpha);
    }

    public double alpha() {
        return alpha;
    }

    @Override
    public String type() {
        return "LeakyRelu";
    }

    @Override
    public String describe() {
        return "alpha " + (float) alpha;
    }

    @Override
    public void apply(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[i];
            y[i] = v > 0f ? v : (float) (alpha * v);
        }
    }
}
