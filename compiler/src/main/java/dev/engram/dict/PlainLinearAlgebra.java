package dev.engram.dict;

/**
 * {@link LinearAlgebra} in plain Java: a row-oriented Cholesky factorisation and triangular solves written as row
 * updates ({@code x_i -= l · x_p} over all right-hand sides at once), so the inner loops run over contiguous memory and
 * the JIT vectorises them. 1,000 keys on a 512-wide layer solve in well under a second ({@code MemitBench}).
 */
final class PlainLinearAlgebra implements LinearAlgebra {
    static final PlainLinearAlgebra INSTANCE = new PlainLinearAlgebra();

    private PlainLinearAlgebra() {
    }

    @Override
    public double[] solveSpd(double[] a, int n, double[] b, int k) {
        if (a.length != n * n || b.length != n * k) {
            throw new IllegalArgumentException("solveSpd: " + a.length + " and " + b.length + " values for n=" + n
                    + ", k=" + k);
        }
        double[] l = cholesky(a, n);
        double[] x = b.clone();
        for (int i = 0; i < n; i++) {
            // forward: L y = b
            for (int p = 0; p < i; p++) {
                subtractRow(x, i, p, l[i * n + p], k);
            }
            scaleRow(x, i, 1 / l[i * n + i], k);
        }
        for (int i = n - 1; i >= 0; i--) {
            // backward: Lᵀ x = y
            for (int p = i + 1; p < n; p++) {
                subtractRow(x, i, p, l[p * n + i], k);
            }
            scaleRow(x, i, 1 / l[i * n + i], k);
        }
        return x;
    }

    /** Row {@code i} of {@code x} ({@code k} columns) minus {@code f} times row {@code p}. */
    private static void subtractRow(double[] x, int i, int p, double f, int k) {
        if (f == 0) {
            return;
        }
        int xi = i * k;
        int xp = p * k;
        for (int c = 0; c < k; c++) {
            x[xi + c] -= f * x[xp + c];
        }
    }

    private static void scaleRow(double[] x, int i, double f, int k) {
        int xi = i * k;
        for (int c = 0; c < k; c++) {
            x[xi + c] *= f;
        }
    }

    /** The lower-triangular {@code L} with {@code A = L Lᵀ} (row-major, upper part zero). */
    static double[] cholesky(double[] a, int n) {
        double[] l = new double[n * n];
        for (int i = 0; i < n; i++) {
            int ri = i * n;
            for (int j = 0; j <= i; j++) {
                int rj = j * n;
                double s = a[ri + j];
                for (int p = 0; p < j; p++) {
                    s -= l[ri + p] * l[rj + p];
                }
                if (i == j) {
                    if (!(s > 0) || !Double.isFinite(s)) {
                        throw new IllegalArgumentException("matrix is not positive definite (pivot " + s + " at " + i
                                + ")");
                    }
                    l[ri + i] = Math.sqrt(s);
                } else {
                    l[ri + j] = s / l[rj + j];
                }
            }
        }
        return l;
    }

    @Override
    public double[] multiply(double[] a, int n, int m, double[] b, int k) {
        if (a.length != n * m || b.length != m * k) {
            throw new IllegalArgumentException("multiply: shapes " + n + "x" + m + " and " + m + "x" + k);
        }
        double[] c = new double[n * k];
        for (int i = 0; i < n; i++) {
            int ci = i * k;
            for (int p = 0; p < m; p++) {
                double f = a[i * m + p];
                if (f == 0) {
                    continue;
                }
                int bp = p * k;
                for (int j = 0; j < k; j++) {
                    c[ci + j] += f * b[bp + j];
                }
            }
        }
        return c;
    }
}
