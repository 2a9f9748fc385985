package dev.engram.model;

import java.util.Arrays;

/**
 * A float32 tensor value: row-major data with its dimensions. Treated as immutable (never mutate the arrays).
 * The common currency of model parameters between codecs, the patch format and the compiler.
 */
public record FloatTensor(long[] dims, float[] data) {

    public FloatTensor {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
            }
            if (d != 0 && n > Long.MAX_VALUE / d) {
                throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " overflow");
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " need " + n + " values, got "
                    + data.length);
        }
    }

    public static FloatTensor vector(float[] v) {
        return new FloatTensor(new long[] {v.length}, v);
    }

    /** A {@code [rows][cols]} matrix as a 2-D tensor. */
    public static FloatTensor matrix(float[][] m) {
        int r = m.length;
        int c = r == 0 ? 0 : m[0].length;
        float[] d = new float[r * c];
        for (int i = 0; i < r; i++) {
            System.arraycopy(m[i], 0, d, i * c, c);
        }
        return new FloatTensor(new long[] {r, c}, d);
    }

    public int size() {
        return data.length;
    }

    /** Bitwise equality of dims and data (distinguishes -0.0 and NaN payloads). */
    public boolean bitEquals(FloatTensor o) {
        if (!Arrays.equals(dims, o.dims) || data.length != o.data.length) {
            return false;
        }
        for (int i = 0; i < data.length; i++) {
            if (Float.floatToRawIntBits(data[i]) != Float.floatToRawIntBits(o.data[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatTensor t && bitEquals(t);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(dims);
    }
}
