package dev.engram.model.dag;

import dev.engram.model.kernel.PackedMatrix;

/**
 * The matrix product behind {@link Gemm} and {@link MatMul}: per batch index b,
 * {@code Y[b] = alpha * A[b] B[b] + C} with {@code A[b]} of {@code M x K}, {@code B[b]} of {@code K x N}, C of
 * {@code M x N} (beta already applied) or none. One side may be a constant matrix, run on the packed matrix kernel
 * with the lanes as columns (and C folded into its bias when alpha is 1 and C runs along its rows); with both sides
 * data, each sum runs over k in order along the lanes.
 *
 * <p>Operands are addressed per element: {@code A[b][i][k]} at {@code aOff[b] + i*aI + k*aK} of the first argument,
 * {@code B[b][k][j]} at {@code bOff[b] + k*bK + j*bJ} (of the second argument, or of the first when A is constant);
 * {@code Y[b][i][j]} at {@code b*M*N + i*N + j}.
 */
final class Product {
    /** Which operand is constant. */
    enum Constant { NONE, A, B }

    final Constant constant;
    final int batch;
    final int m;
    final int k;
    final int n;
    final int[] aOff;
    final int aI;
    final int aK;
    final int[] bOff;
    final int bK;
    final int bJ;
    final float alpha;
    final float[] c; // [M][N] added after the product, or null (none, or folded into the matrix bias)
    final PackedMatrix matrix; // the constant operand: B^T [N][K] or A [M][K]; null without one

    /**
     * @param constValues the constant operand's values {@code [M][K]} (A) or {@code [K][N]} (B) in row-major
     *                    order after any transposition, or null
     * @param cMatrix     C as {@code [M][N]} (beta applied), or null
     */
    Product(Constant constant, int batch, int m, int k, int n, int[] aOff, int aI, int aK, int[] bOff, int bK, int bJ,
            float alpha, float[] constValues, float[] cMatrix) {
        this.constant = constant;
        this.batch = batch;
        this.m = m;
        this.k = k;
        this.n = n;
        this.aOff = aOff;
        this.aI = aI;
        this.aK = aK;
        this.bOff = bOff;
        this.bK = bK;
        this.bJ = bJ;
        this.alpha = alpha;
        float[] bias = alpha == 1f && constant != Constant.NONE ? alongRows(cMatrix) : null;
        this.c = bias == null ? cMatrix : null;
        if (constant == Constant.B) {
            float[] t = new float[n * k];
            for (int kk = 0; kk < k; kk++) {
                for (int j = 0; j < n; j++) {
                    t[j * k + kk] = constValues[kk * n + j];
                }
            }
            matrix = PackedMatrix.of(t, n, k, bias);
        } else if (constant == Constant.A) {
            matrix = PackedMatrix.of(constValues, m, k, bias);
        } else {
            matrix = null;
        }
    }

    private Product(Product o, PackedMatrix matrix) {
        this.constant = o.constant;
        this.batch = o.batch;
        this.m = o.m;
        this.k = o.k;
        this.n = o.n;
        this.aOff = o.aOff;
        this.aI = o.aI;
        this.aK = o.aK;
        this.bOff = o.bOff;
        this.bK = o.bK;
        this.bJ = o.bJ;
        this.alpha = o.alpha;
        this.c = o.c;
        this.matrix = matrix;
    }

    /** The product as {@link LinearTerms} of its data operand, or null when both operands are data. */
    LinearTerms terms() {
        if (constant == Constant.NONE) {
            return null;
        }
        float[] w = matrix.values(); // B^T [n][k] or A [m][k]
        float[] rowBias = matrix.bias();
        int out = batch * m * n;
        int[] index = new int[out * k];
        float[] weight = new float[out * k];
        float[] bias = rowBias == null && c == null ? null : new float[out];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int e = (b * m + i) * n + j;
                    int row = constant == Constant.B ? j : i;
                    for (int kk = 0; kk < k; kk++) {
                        index[e * k + kk] = constant == Constant.B ? aOff[b] + i * aI + kk * aK
                                : bOff[b] + kk * bK + j * bJ;
                        weight[e * k + kk] = w[row * k + kk];
                    }
                    if (bias != null) {
                        bias[e] = rowBias != null ? rowBias[row] : c[i * n + j];
                    }
                }
            }
        }
        return new LinearTerms(out, k, index, weight, alpha, bias);
    }

    /** What is added after the sums, for listings: a bias, a C matrix, or nothing. */
    String added() {
        return matrix != null && matrix.bias() != null ? " + bias" : c != null ? " + C" : "";
    }

    /** Whether a per-output-column scale and bias can be folded in: a constant B, alpha 1, nothing added after. */
    boolean foldable() {
        return constant == Constant.B && alpha == 1f && c == null;
    }

    /** The bias of each output column (a copy), or null; only for {@link #foldable()} products. */
    float[] columnBias() {
        return matrix.bias();
    }

    /**
     * This product with output column j scaled by {@code scale[j]} (null: 1) and the bias {@code bias[j]} added
     * after; only for {@link #foldable()} products.
     */
    Product withColumns(float[] scale, float[] bias) {
        float[] w = matrix.values();
        if (scale != null) {
            for (int j = 0; j < n; j++) {
                for (int kk = 0; kk < k; kk++) {
                    w[j * k + kk] *= scale[j];
                }
            }
        }
        return new Product(this, PackedMatrix.of(w, n, k, bias));
    }

    /** C as a bias of the packed matrix's rows (j for a constant B, i for a constant A), or null if it is not one. */
    private float[] alongRows(float[] cm) {
        if (cm == null) {
            return null;
        }
        boolean byJ = constant == Constant.B;
        float[] bias = new float[byJ ? n : m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float v = cm[i * n + j];
                int r = byJ ? j : i;
                if ((byJ ? i : j) == 0) {
                    bias[r] = v;
                } else if (Float.floatToRawIntBits(bias[r]) != Float.floatToRawIntBits(v)) {
                    return null;
                }
            }
        }
        return bias;
    }

    void forward(float[][] args, float[] y, int lanes, Scratch scratch, boolean relu) {
        boolean fuse = relu && c == null && alpha == 1f;
        switch (constant) {
            case B -> {
                for (int b = 0; b < batch; b++) {
                    for (int i = 0; i < m; i++) {
                        matrix.apply(args[0], (aOff[b] + i * aI) * lanes, aK * lanes, y, (b * m + i) * n * lanes,
                                lanes, lanes, fuse, scratch.tail());
                    }
                }
            }
            case A -> {
                for (int b = 0; b < batch; b++) {
                    for (int j = 0; j < n; j++) {
                        matrix.apply(args[0], (bOff[b] + j * bJ) * lanes, bK * lanes, y, (b * m * n + j) * lanes,
                                n * lanes, lanes, fuse, scratch.tail());
                    }
                }
            }
            default -> both(args[0], args[1], y, lanes);
        }
        if (!fuse) {
            epilogue(y, lanes, relu);
        }
    }

    /** Both operands data: per output, the sum over k in order, lane by lane. */
    private void both(float[] a, float[] bm, float[] y, int lanes) {
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int yo = ((b * m + i) * n + j) * lanes;
                    java.util.Arrays.fill(y, yo, yo + lanes, 0f);
                    for (int kk = 0; kk < k; kk++) {
                        int ao = (aOff[b] + i * aI + kk * aK) * lanes;
                        int bo = (bOff[b] + kk * bK + j * bJ) * lanes;
                        for (int s = 0; s < lanes; s++) {
                            y[yo + s] += a[ao + s] * bm[bo + s];
                        }
                    }
                }
            }
        }
    }

    /** {@code alpha * y + C}, then ReLU if asked. */
    private void epilogue(float[] y, int lanes, boolean relu) {
        if (alpha == 1f && c == null && !relu) {
            return;
        }
        int mn = m * n;
        for (int b = 0; b < batch; b++) {
            for (int e = 0; e < mn; e++) {
                float add = c == null ? 0f : c[e];
                int o = (b * mn + e) * lanes;
                for (int s = 0; s < lanes; s++) {
                    float v = y[o + s];
                    if (alpha != 1f) {
                        v = alpha * v;
                    }
                    if (c != null) {
                        v = v + add;
                    }
                    y[o + s] = relu ? (v > 0f ? v : 0f) : v;
                }
            }
        }
    }
}
