package dev.engram.verify.graph;

import dev.engram.model.dag.Constant;

/** A {@code Constant} fed as data: its values exactly; no arguments, the relaxation is the constant itself. */
final class ConstantBound implements BoundOp {
    private final double[] values;

    ConstantBound(Constant op) {
        float[] v = op.values();
        values = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            values[i] = v[i];
        }
    }

    @Override
    public String type() {
        return "Constant";
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public void interval(Range[] args, double[] lo, double[] hi) {
        System.arraycopy(values, 0, lo, 0, values.length);
        System.arraycopy(values, 0, hi, 0, values.length);
    }

    @Override
    public double[] error(Range[] args) {
        return null;
    }

    @Override
    public void backward(double[][] a, Range[] args, double[][][] argA, Backward pass) {
        for (int r = 0; r < a.length; r++) {
            for (int i = 0; i < values.length; i++) {
                if (a[r][i] != 0) {
                    pass.add(r, a[r][i] * values[i]);
                }
            }
        }
    }
}
