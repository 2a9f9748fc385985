package dev.engram.model.dag;

import dev.engram.model.graph.TensorValue;

/**
 * A constant fed to an operator that takes it as data (a Concat part, one side of an element-wise operation
 * between two computed values): every sample gets the same values. Also reads ONNX {@code Constant} nodes.
 */
public final class Constant implements Op {
    private final Shape shape;
    private final float[] values;

    public Constant(Shape shape, float[] values) {
        if (values.length != shape.size()) {
            throw new IllegalArgumentException(values.length + " values for shape " + shape);
        }
        this.shape = shape;
        this.values = values.clone();
    }

    /** The tensor of an ONNX {@code Constant} node ({@code value}, {@code value_float(s)}, {@code value_int(s)}). */
    static TensorValue read(OpReader r) {
        r.inputs(0, 0);
        String name = r.node().outputs().get(0);
        TensorValue t = r.tensorAttr("value");
        float f = r.floatAttr("value_float", Float.NaN);
        float[] fs = r.floatsAttr("value_floats", null);
        long i = r.intAttr("value_int", Long.MIN_VALUE);
        long[] is = r.intsAttr("value_ints", null);
        if (t != null) {
            return new TensorValue(name, t.dataType(), t.dims(), t.floats(), t.longs());
        }
        if (fs != null) {
            return new TensorValue(name, TensorValue.FLOAT, new long[] {fs.length}, fs, null);
        }
        if (r.hasAttr("value_float")) {
            return new TensorValue(name, TensorValue.FLOAT, new long[0], new float[] {f}, null);
        }
        if (is != null) {
            return new TensorValue(name, TensorValue.INT64, new long[] {is.length}, null, is);
        }
        if (r.hasAttr("value_int")) {
            return new TensorValue(name, TensorValue.INT64, new long[0], null, new long[] {i});
        }
        throw r.error("Constant needs a 'value', 'value_float(s)' or 'value_int(s)' attribute (found "
                + r.node().attributes().keySet() + ")");
    }

    public float[] values() {
        return values.clone();
    }

    @Override
    public String type() {
        return "Constant";
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public void forward(float[][] in, float[] out, int lanes, Scratch scratch) {
        for (int f = 0; f < values.length; f++) {
            java.util.Arrays.fill(out, f * lanes, (f + 1) * lanes, values[f]);
        }
    }
}
