package dev.engram.model.dag;

/**
 * {@code BatchNormalization} in inference mode, per channel (axis 1): {@code y = x * a + b} with, in float32 as
 * ONNX Runtime computes them, {@code a = scale * (1 / sqrt(var + epsilon))} and {@code b = B - mean * a}.
 * {@link FoldBatchNorm} folds it into a preceding convolution or dense layer where it can.
 */
public final class BatchNorm implements Op {
    private final Shape shape;
    private final float[] scale;
    private final float[] bias;
    private final float[] mean;
    private final float[] var;
    private final float epsilon;
    private final float[] a;
    private final float[] b;

    public BatchNorm(Shape shape, float[] scale, float[] bias, float[] mean, float[] var, float epsilon) {
        int c = shape.rank() < 2 ? 1 : shape.dim(1);
        if (scale.length != c || bias.length != c || mean.length != c || var.length != c) {
            throw new IllegalArgumentException("batch norm parameters do not have " + c + " channels");
        }
        this.shape = shape;
        this.scale = scale.clone();
        this.bias = bias.clone();
        this.mean = mean.clone();
        this.var = var.clone();
        this.epsilon = epsilon;
        this.a = new float[c];
        this.b = new float[c];
        for (int i = 0; i < c; i++) {
            float invStd = 1f / (float) Math.sqrt(var[i] + epsilon);
            a[i] = invStd * scale[i];
            b[i] = bias[i] - mean[i] * a[i];
        }
    }

    static Op read(OpReader r) {
        r.inputs(5, 5);
        r.ignore("momentum");
        r.intAttrIn("spatial", 1, 1);
        r.intAttrIn("training_mode", 0, 0);
        r.intAttrIn("is_test", 1, 0, 1);
        float eps = r.floatAttr("epsilon", 1e-5f);
        Shape x = r.data(0);
        int c = x.rank() < 2 ? 1 : x.dim(1);
        float[][] p = new float[4][];
        for (int i = 0; i < 4; i++) {
            p[i] = r.floats(i + 1);
            if (p[i].length != c) {
                throw r.error("input " + (i + 1) + " has " + p[i].length + " values for " + c + " channels");
            }
        }
        return new BatchNorm(x, p[0], p[1], p[2], p[3], eps);
    }

    /**
     * The per-channel factor of a fold into the preceding layer, as ONNX Runtime's Conv+BatchNormalization fusion
     * computes it: {@code s = scale / sqrt(var + epsilon)}; the layer becomes {@code W*s} and {@code (B - mean)*s + bias}.
     */
    float[] foldScale() {
        float[] s = new float[scale.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = scale[i] / (float) Math.sqrt(var[i] + epsilon);
        }
        return s;
    }

    /** The folded bias of a layer whose own bias is {@code layerBias} (null: none). */
    float[] foldBias(float[] layerBias, float[] s) {
        float[] out = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = ((layerBias == null ? 0f : layerBias[i]) - mean[i]) * s[i] + bias[i];
        }
        return out;
    }

    @Override
    public String type() {
        return "BatchNormalization";
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public String describe() {
        return a.length + " channels, epsilon " + epsilon;
    }

    @Override
    public void forward(float[][] in, float[] out, int lanes, Scratch scratch) {
        float[] x = in[0];
        int c = a.length;
        int inner = shape.rank() < 2 ? shape.size() : shape.sizeFrom(2);
        int outer = shape.size() / Math.max(1, c * inner);
        for (int n = 0; n < outer; n++) {
            for (int ch = 0; ch < c; ch++) {
                float ac = a[ch];
                float bc = b[ch];
                int o = (n * c + ch) * inner * lanes;
                for (int i = 0; i < inner * lanes; i++) {
                    out[o + i] = x[o + i] * ac + bc;
                }
            }
        }
    }
}
