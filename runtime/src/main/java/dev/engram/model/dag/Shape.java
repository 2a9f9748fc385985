package dev.engram.model.dag;

import java.util.Arrays;

/**
 * The shape of one value for one sample: the ONNX tensor's dimensions as the file declares them (a leading batch
 * dimension of 1 included, a symbolic batch dimension read as 1). Element counts are checked against the model's
 * limits before a shape is made, so they fit an {@code int}.
 */
public record Shape(int[] dims) {

    public Shape {
        dims = dims.clone();
    }

    public static Shape of(int... dims) {
        return new Shape(dims);
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int axis) {
        return dims[axis];
    }

    /** Elements per sample. */
    public int size() {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** Elements in the dimensions from {@code axis} on (row-major stride of {@code axis - 1}). */
    public int sizeFrom(int axis) {
        int n = 1;
        for (int i = axis; i < dims.length; i++) {
            n *= dims[i];
        }
        return n;
    }

    /** The dimensions as longs (for checks and ONNX). */
    public long[] longs() {
        long[] l = new long[dims.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = dims[i];
        }
        return l;
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : ",").append(dims[i]);
        }
        return sb.append(']').toString();
    }
}
