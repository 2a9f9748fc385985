package dev.engram.dict;

import java.util.Arrays;

/**
 * Mergeable statistics of one layer's activations: the count {@code n}, the mean {@code μ}, the co-moment
 * {@code M2 = Σ (x − μ)(x − μ)ᵀ} and, for each concept {@code c}, the number of concept-positive rows {@code n_c} and
 * their mean {@code μ_c}. Everything the dictionary's closed forms need follows from these: the covariance
 * {@code M2 / (n − 1)}, the concept-negative mean, and the pooled within-class co-moment
 * {@code M2 − (n_c (n − n_c) / n) (μ_c − μ_¬c)(μ_c − μ_¬c)ᵀ}.
 *
 * <p>Rows are added a chunk at a time: the chunk's own moments are computed (its Gram matrix, skipping the zeros that
 * ReLU layers are full of) and merged with Chan, Golub and LeVeque's pairwise update
 * {@code n = n_a + n_b, δ = μ_b − μ_a, μ = μ_a + δ n_b / n, M2 = M2_a + M2_b + δ δᵀ n_a n_b / n}. Merging is
 * associative up to rounding, so any chunking, in any order, on any number of machines gives the same statistics
 * (the property {@code LayerMomentsProperties} checks). An accumulator: {@link #add} and {@link #merge} change it in
 * place; accessors return copies.
 */
public final class LayerMoments {
    private final int dim;
    private final int concepts;
    private long n;
    private final double[] mean;
    /** Upper triangle used while accumulating; {@link #coMoment} mirrors it. Row-major {@code dim × dim}. */
    private final double[] m2;
    private final long[] positives;
    private final double[][] positiveMean;

    /** Empty statistics of a layer of {@code dim} units and {@code concepts} concepts. */
    public LayerMoments(int dim, int concepts) {
        if (dim < 0 || concepts < 0 || (long) dim * dim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("layer of " + dim + " units, " + concepts + " concepts");
        }
        this.dim = dim;
        this.concepts = concepts;
        this.mean = new double[dim];
        this.m2 = new double[dim * dim];
        this.positives = new long[concepts];
        this.positiveMean = new double[concepts][dim];
    }

    /** Statistics with the given values (as stored in a dictionary file); {@code coMoment} is {@code dim × dim}. */
    public static LayerMoments of(long n, double[] mean, double[] coMoment, long[] positives, double[][] positiveMean) {
        LayerMoments m = new LayerMoments(mean.length, positives.length);
        if (coMoment.length != m.dim * m.dim) {
            throw new IllegalArgumentException("co-moment of " + coMoment.length + " values for " + m.dim + " units");
        }
        m.n = n;
        System.arraycopy(mean, 0, m.mean, 0, m.dim);
        System.arraycopy(coMoment, 0, m.m2, 0, coMoment.length);
        System.arraycopy(positives, 0, m.positives, 0, positives.length);
        for (int c = 0; c < positives.length; c++) {
            System.arraycopy(positiveMean[c], 0, m.positiveMean[c], 0, m.dim);
        }
        return m;
    }

    public int dim() {
        return dim;
    }

    public int concepts() {
        return concepts;
    }

    public long count() {
        return n;
    }

    public double[] mean() {
        return mean.clone();
    }

    /** {@code M2} as a full symmetric {@code dim × dim} row-major array. */
    public double[] coMoment() {
        double[] full = m2.clone();
        for (int i = 0; i < dim; i++) {
            for (int j = i + 1; j < dim; j++) {
                full[j * dim + i] = full[i * dim + j];
            }
        }
        return full;
    }

    /** The sample covariance {@code M2 / (n − 1)} (full, row-major; zeros below two rows). */
    public double[] covariance() {
        double[] c = coMoment();
        double f = n > 1 ? 1.0 / (n - 1) : 0;
        for (int k = 0; k < c.length; k++) {
            c[k] *= f;
        }
        return c;
    }

    public long positives(int concept) {
        return positives[concept];
    }

    public long negatives(int concept) {
        return n - positives[concept];
    }

    public double[] positiveMean(int concept) {
        return positiveMean[concept].clone();
    }

    /** The mean of the concept-negative rows, {@code (n μ − n_c μ_c) / (n − n_c)}; zeros when there are none. */
    public double[] negativeMean(int concept) {
        long neg = n - positives[concept];
        double[] out = new double[dim];
        if (neg <= 0) {
            return out;
        }
        for (int i = 0; i < dim; i++) {
            out[i] = (n * mean[i] - positives[concept] * positiveMean[concept][i]) / neg;
        }
        return out;
    }

    /**
     * Adds rows {@code [0, size)} of {@code rows}; {@code positive[c][r]} says whether row {@code r} is positive for
     * concept {@code c}.
     */
    public void add(float[][] rows, int size, boolean[][] positive) {
        if (size == 0) {
            return;
        }
        if (positive.length != concepts) {
            throw new IllegalArgumentException(positive.length + " concept masks, expected " + concepts);
        }
        LayerMoments chunk = new LayerMoments(dim, concepts);
        chunk.accumulateChunk(rows, size, positive);
        merge(chunk);
    }

    /** The chunk's moments from its Gram matrix: {@code M2 = Σ x xᵀ − n μ μᵀ} (upper triangle). */
    private void accumulateChunk(float[][] rows, int size, boolean[][] positive) {
        double[] x = new double[dim];
        for (int r = 0; r < size; r++) {
            float[] row = rows[r];
            if (row.length != dim) {
                throw new IllegalArgumentException("row of " + row.length + " values for a layer of " + dim);
            }
            for (int i = 0; i < dim; i++) {
                x[i] = row[i];
                mean[i] += x[i];
            }
            for (int i = 0; i < dim; i++) {
                double xi = x[i];
                if (xi == 0) {
                    continue;
                }
                int base = i * dim;
                for (int j = i; j < dim; j++) {
                    m2[base + j] += xi * x[j];
                }
            }
            for (int c = 0; c < concepts; c++) {
                if (positive[c][r]) {
                    positives[c]++;
                    double[] pm = positiveMean[c];
                    for (int i = 0; i < dim; i++) {
                        pm[i] += x[i];
                    }
                }
            }
        }
        n = size;
        for (int i = 0; i < dim; i++) {
            mean[i] /= size;
        }
        for (int i = 0; i < dim; i++) {
            int base = i * dim;
            double mi = mean[i] * size;
            for (int j = i; j < dim; j++) {
                m2[base + j] -= mi * mean[j];
            }
        }
        for (int c = 0; c < concepts; c++) {
            if (positives[c] > 0) {
                for (int i = 0; i < dim; i++) {
                    positiveMean[c][i] /= positives[c];
                }
            }
        }
    }

    /** Merges {@code other} into this (Chan et al.); {@code other} is unchanged. */
    public void merge(LayerMoments other) {
        if (other.dim != dim || other.concepts != concepts) {
            throw new IllegalArgumentException("merging statistics of different layers");
        }
        if (other.n == 0) {
            return;
        }
        if (n == 0) {
            n = other.n;
            System.arraycopy(other.mean, 0, mean, 0, dim);
            System.arraycopy(other.m2, 0, m2, 0, m2.length);
            System.arraycopy(other.positives, 0, positives, 0, concepts);
            for (int c = 0; c < concepts; c++) {
                System.arraycopy(other.positiveMean[c], 0, positiveMean[c], 0, dim);
            }
            return;
        }
        long total = n + other.n;
        double[] delta = new double[dim];
        for (int i = 0; i < dim; i++) {
            delta[i] = other.mean[i] - mean[i];
        }
        double w = (double) n * other.n / total;
        for (int i = 0; i < dim; i++) {
            int base = i * dim;
            double di = delta[i] * w;
            for (int j = i; j < dim; j++) {
                m2[base + j] += other.m2[base + j] + di * delta[j];
            }
            mean[i] += delta[i] * other.n / total;
        }
        for (int c = 0; c < concepts; c++) {
            long a = positives[c];
            long b = other.positives[c];
            if (b == 0) {
                continue;
            }
            double[] pm = positiveMean[c];
            for (int i = 0; i < dim; i++) {
                pm[i] += (other.positiveMean[c][i] - pm[i]) * b / (a + b);
            }
            positives[c] = a + b;
        }
        n = total;
    }

    /** An independent copy. */
    public LayerMoments copy() {
        LayerMoments m = new LayerMoments(dim, concepts);
        m.merge(this);
        return m;
    }

    @Override
    public String toString() {
        return "LayerMoments[n=" + n + ", dim=" + dim + ", positives=" + Arrays.toString(positives) + "]";
    }
}
