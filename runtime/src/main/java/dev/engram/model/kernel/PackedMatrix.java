package dev.engram.model.kernel;

import java.util.Arrays;

/**
 * A constant matrix {@code W [rows][cols]} with an optional bias per row, packed once for the kernels: the
 * products of convolutions, Gemm and MatMul with a constant operand, on strided columns of data. Immutable.
 *
 * <p>Every output is {@code sum_k W[o][k] * x[k]} accumulated over k in order with a float multiply then a float
 * add (no FMA), then the bias added, then ReLU if asked ({@code v > 0 ? v : 0}). The vector kernel takes the
 * columns in blocks of {@link VectorKernel#CHUNK}, the scalar kernel the rest; both give the same bits.
 */
public final class PackedMatrix {

    /** Floats of scratch {@link #apply} may need for a partial block of rows. */
    public static final int TAIL = VectorKernel.OB * 64;

    private final float[] w; // row-major [rows][cols], for the scalar kernel
    private final float[] packed; // [rowPad/4][cols][4], for the vector kernel (null without it)
    private final float[] bias; // [rows] padded to a multiple of 4, or null
    private final int rows;
    private final int cols;

    private PackedMatrix(float[] w, float[] packed, float[] bias, int rows, int cols) {
        this.w = w;
        this.packed = packed;
        this.bias = bias;
        this.rows = rows;
        this.cols = cols;
    }

    /** Packs {@code w} (row-major {@code [rows][cols]}; copied) with {@code bias} ({@code [rows]} or null). */
    public static PackedMatrix of(float[] w, int rows, int cols, float[] bias) {
        return of(w, rows, cols, bias, true);
    }

    /** As {@link #of(float[], int, int, float[])}; the vector kernel only when {@code vector} (same results). */
    public static PackedMatrix of(float[] w, int rows, int cols, float[] bias, boolean vector) {
        if (w.length != rows * cols || (bias != null && bias.length != rows)) {
            throw new IllegalArgumentException("matrix " + rows + "x" + cols + " with " + w.length + " values and "
                    + (bias == null ? "no" : bias.length) + " biases");
        }
        int ob = VectorKernel.OB;
        int pad = (rows + ob - 1) / ob * ob;
        float[] p = null;
        if (vector && Kernels.vector()) {
            p = new float[pad * cols];
            for (int o = 0; o < rows; o++) {
                int base = (o / ob) * cols * ob + o % ob;
                for (int k = 0; k < cols; k++) {
                    p[base + k * ob] = w[o * cols + k];
                }
            }
        }
        return new PackedMatrix(w.clone(), p, bias == null ? null : Arrays.copyOf(bias, pad), rows, cols);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The matrix, row-major {@code [rows][cols]} (a copy). */
    public float[] values() {
        return w.clone();
    }

    /** The bias per row (a copy), or null. */
    public float[] bias() {
        return bias == null ? null : Arrays.copyOf(bias, rows);
    }

    /**
     * For every row o and column c in [0, n): {@code y[yo + o*ys + c] = relu?(sum_k W[o][k] * x[xo + k*xs + c]
     * + bias[o])}. {@code tail} is scratch of {@link #TAIL} floats.
     */
    public void apply(float[] x, int xo, int xs, float[] y, int yo, int ys, int n, boolean relu, float[] tail) {
        int vec = packed == null ? 0 : n / VectorKernel.CHUNK * VectorKernel.CHUNK;
        if (vec > 0) {
            VectorKernel.gemm(packed, bias, cols, rows, x, xo, xs, y, yo, ys, vec,
                    relu ? VectorKernel.ACT_RELU : VectorKernel.ACT_IDENTITY, tail);
        }
        if (vec < n) {
            scalar(x, xo + vec, xs, y, yo + vec, ys, n - vec, relu);
        }
    }

    /** The scalar kernel: 8 columns at a time in independent accumulators, each summing over k in order. */
    private void scalar(float[] x, int xo, int xs, float[] y, int yo, int ys, int n, boolean relu) {
        for (int o = 0; o < rows; o++) {
            int wo = o * cols;
            int yr = yo + o * ys;
            int c = 0;
            for (; c + 8 <= n; c += 8) {
                float a0 = 0f;
                float a1 = 0f;
                float a2 = 0f;
                float a3 = 0f;
                float a4 = 0f;
                float a5 = 0f;
                float a6 = 0f;
                float a7 = 0f;
                for (int k = 0, xi = xo + c; k < cols; k++, xi += xs) {
                    float wk = w[wo + k];
                    a0 += wk * x[xi];
                    a1 += wk * x[xi + 1];
                    a2 += wk * x[xi + 2];
                    a3 += wk * x[xi + 3];
                    a4 += wk * x[xi + 4];
                    a5 += wk * x[xi + 5];
                    a6 += wk * x[xi + 6];
                    a7 += wk * x[xi + 7];
                }
                y[yr + c] = a0;
                y[yr + c + 1] = a1;
                y[yr + c + 2] = a2;
                y[yr + c + 3] = a3;
                y[yr + c + 4] = a4;
                y[yr + c + 5] = a5;
                y[yr + c + 6] = a6;
                y[yr + c + 7] = a7;
            }
            for (; c < n; c++) {
                float a = 0f;
                for (int k = 0, xi = xo + c; k < cols; k++, xi += xs) {
                    a += w[wo + k] * x[xi];
                }
                y[yr + c] = a;
            }
            if (bias != null || relu) {
                float b = bias == null ? 0f : bias[o];
                for (c = 0; c < n; c++) {
                    float v = bias == null ? y[yr + c] : y[yr + c] + b;
                    y[yr + c] = relu ? (v > 0f ? v : 0f) : v;
                }
            }
        }
    }
}
