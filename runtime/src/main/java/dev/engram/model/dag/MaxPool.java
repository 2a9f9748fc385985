package dev.engram.model.dag;

import dev.engram.model.kernel.VectorKernel;

import java.util.Arrays;

/**
 * {@code MaxPool} (and {@code GlobalMaxPool}): the largest input in each window ({@link Math#max}: NaN wins);
 * padding is never chosen.
 */
public final class MaxPool extends Pool {

    public MaxPool(Shape in, Window window) {
        super(in, window);
    }

    static Op read(OpReader r) {
        r.inputs(1, 1);
        r.ignore("storage_order"); // only orders the indices output, which is refused when used
        Shape x = r.data(0);
        return new MaxPool(x, readWindow(r, x));
    }

    static Op readGlobal(OpReader r) {
        r.inputs(1, 1);
        Shape x = r.data(0);
        return new MaxPool(x, Window.global(r, x));
    }

    @Override
    public String type() {
        return "MaxPool";
    }

    @Override
    void combine(float[] x, int xi, float[] out, int o, int lanes) {
        if (VECTOR) {
            VectorKernel.max(x, xi, out, o, lanes);
        } else {
            for (int s = 0; s < lanes; s++) {
                out[o + s] = Math.max(out[o + s], x[xi + s]);
            }
        }
    }

    @Override
    void finish(float[] out, int o, int lanes, int p, boolean empty) {
        if (empty) {
            Arrays.fill(out, o, o + lanes, Float.NEGATIVE_INFINITY);
        }
    }
}
