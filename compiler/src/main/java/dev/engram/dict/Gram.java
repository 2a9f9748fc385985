package dev.engram.dict;

/**
 * The co-moment {@code C̃ᵀC̃} of a block of rows centred on their mean, in double: the rows are widened and centred
 * first (no cancellation, unlike {@code Σ x xᵀ − n μ μᵀ}), then every entry sums its products over the rows in order,
 * one fused multiply-add each ({@link Math#fma}: one rounding, and one instruction on every x86-64 and AArch64 CPU
 * with vectors worth using). With the Vector API ({@code --add-modules jdk.incubator.vector}) the product runs on a
 * register-blocked kernel ({@link GramKernel}); without it on a scalar loop that rounds every entry identically, so
 * the statistics do not depend on the JVM's flags. Only the upper triangle is computed.
 */
final class Gram {
    /** Most rows per block: blocks are merged pairwise by {@link LayerMoments}. */
    static final int BLOCK = 256;

    /** Whether the Vector API kernel is used (else the scalar loop; results are identical). */
    static final boolean VECTOR = vectorAvailable();

    /** When the executor runs on the Vector API (the module is there and not turned off) and this kernel works. */
    private static boolean vectorAvailable() {
        if (!dev.engram.model.exec.DenseExecutor.vectorized()) {
            return false;
        }
        try {
            return GramKernel.usable();
        } catch (Throwable e) {
            return false;
        }
    }

    private final int d;
    private final int stride;
    private final boolean vector;
    /** The centred block, row-major with {@link #stride} values a row (zero-padded). */
    private final double[] x;
    /** The product, row-major {@code stride × stride}. */
    private final double[] g;
    /** The scalar loop's product, one array a row (null on the vector kernel). */
    private final double[][] rows2;

    /** Buffers for blocks of rows of {@code d} values, on the vector kernel when it is available. */
    Gram(int d) {
        this(d, VECTOR);
    }

    /** As {@link #Gram(int)}, on the vector kernel only when {@code vector} (and it is available). */
    Gram(int d, boolean vector) {
        this.d = d;
        this.vector = vector && VECTOR;
        this.stride = this.vector ? (d + GramKernel.JB - 1) / GramKernel.JB * GramKernel.JB : d;
        this.x = new double[BLOCK * stride];
        this.g = new double[stride * stride];
        this.rows2 = this.vector ? null : new double[d][d];
    }

    /** The row length of the array {@link #centred} returns. */
    int stride() {
        return stride;
    }

    /**
     * The co-moment of rows {@code [from, to)} of {@code rows} (row-major, {@code d} values a row; at most
     * {@link #BLOCK} rows) centred on {@code mean}: entry {@code (i, j)}, {@code i <= j}, at {@code i * stride() + j}
     * of the returned array (a buffer of this object, overwritten by the next call); entries below the diagonal are
     * unspecified.
     */
    double[] centred(float[] rows, int from, int to, double[] mean) {
        int k = to - from;
        if (k <= 0 || k > BLOCK || mean.length != d) {
            throw new IllegalArgumentException("a Gram block of " + k + " rows of " + mean.length);
        }
        for (int r = 0; r < k; r++) {
            int at = (from + r) * d;
            int o = r * stride;
            for (int i = 0; i < d; i++) {
                x[o + i] = rows[at + i] - mean[i];
            }
        }
        if (vector) {
            GramKernel.upper(x, k, stride, g);
        } else {
            upperScalar(x, k, d, rows2);
            for (int i = 0; i < d; i++) {
                System.arraycopy(rows2[i], i, g, i * d + i, d - i);
            }
        }
        return g;
    }

    /**
     * The upper triangle of {@code XᵀX} into {@code m2} ({@code d × d}, row {@code i} from column {@code i}) for the
     * {@code k × d} row-major {@code x}: {@code m2[i][j] = Σ_r x[r][i] x[r][j]}, the products added one at a time, rows
     * in order, from zero, each by a fused multiply-add (the vector kernel's rounding). Four rows per sweep, each
     * copied to an array of its own and every row of the result an array of its own (simple indexing the JIT
     * vectorises), so each entry is loaded and stored once per four rows.
     */
    static void upperScalar(double[] x, int k, int d, double[][] m2) {
        for (int i = 0; i < d; i++) {
            java.util.Arrays.fill(m2[i], i, d, 0);
        }
        double[] x0 = new double[d];
        double[] x1 = new double[d];
        double[] x2 = new double[d];
        double[] x3 = new double[d];
        int r = 0;
        for (; r + 4 <= k; r += 4) {
            System.arraycopy(x, r * d, x0, 0, d);
            System.arraycopy(x, (r + 1) * d, x1, 0, d);
            System.arraycopy(x, (r + 2) * d, x2, 0, d);
            System.arraycopy(x, (r + 3) * d, x3, 0, d);
            for (int i = 0; i < d; i++) {
                double a0 = x0[i];
                double a1 = x1[i];
                double a2 = x2[i];
                double a3 = x3[i];
                double[] row = m2[i];
                for (int j = i; j < d; j++) {
                    double m = row[j];
                    m = Math.fma(a0, x0[j], m);
                    m = Math.fma(a1, x1[j], m);
                    m = Math.fma(a2, x2[j], m);
                    m = Math.fma(a3, x3[j], m);
                    row[j] = m;
                }
            }
        }
        for (; r < k; r++) {
            System.arraycopy(x, r * d, x0, 0, d);
            for (int i = 0; i < d; i++) {
                double a = x0[i];
                double[] row = m2[i];
                for (int j = i; j < d; j++) {
                    row[j] = Math.fma(a, x0[j], row[j]);
                }
            }
        }
    }
}
