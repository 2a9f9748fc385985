package dev.engram.dict;

import java.util.Arrays;

/**
 * Mergeable statistics of one layer's activations: the count {@code n}, the mean {@code μ}, the co-moment
 * {@code M2 = Σ (x − μ)(x − μ)ᵀ} and, for each concept {@code c}, the class-conditional first moments: the number
 * of concept-positive and concept-negative rows and their means (rows whose concept value is unknown count in the
 * layer's moments but in neither class). Everything the dictionary's closed forms need follows from these: the
 * covariance {@code M2 / (n − 1)}, the second moment {@code E[x xᵀ]}, the class means and their difference.
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
    private final long[] negatives;
    private final double[][] negativeMean;

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
        this.negatives = new long[concepts];
        this.negativeMean = new double[concepts][dim];
    }

    /** Statistics with the given values (as stored in a dictionary file); {@code coMoment} is {@code dim × dim}. */
    public static LayerMoments of(long n, double[] mean, double[] coMoment, long[] positives, double[][] positiveMean,
                                  long[] negatives, double[][] negativeMean) {
        LayerMoments m = new LayerMoments(mean.length, positives.length);
        if (coMoment.length != m.dim * m.dim) {
            throw new IllegalArgumentException("co-moment of " + coMoment.length + " values for " + m.dim + " units");
        }
        m.n = n;
        System.arraycopy(mean, 0, m.mean, 0, m.dim);
        System.arraycopy(coMoment, 0, m.m2, 0, coMoment.length);
        System.arraycopy(positives, 0, m.positives, 0, positives.length);
        System.arraycopy(negatives, 0, m.negatives, 0, negatives.length);
        for (int c = 0; c < positives.length; c++) {
            System.arraycopy(positiveMean[c], 0, m.positiveMean[c], 0, m.dim);
            System.arraycopy(negativeMean[c], 0, m.negativeMean[c], 0, m.dim);
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
        return negatives[concept];
    }

    public double[] positiveMean(int concept) {
        return positiveMean[concept].clone();
    }

    /** The mean of the concept-negative rows (zeros when there are none). */
    public double[] negativeMean(int concept) {
        return negativeMean[concept].clone();
    }

    /** The second moment {@code E[x xᵀ] = M2 / n + μ μᵀ} (full, row-major): the key covariance of rank-one edits. */
    public double[] secondMoment() {
        double[] c = coMoment();
        double f = n > 0 ? 1.0 / n : 0;
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < dim; j++) {
                c[i * dim + j] = c[i * dim + j] * f + mean[i] * mean[j];
            }
        }
        return c;
    }

    /**
     * Adds rows {@code [0, size)} of {@code rows}; {@code label[c][r]} is 1 when row {@code r} is positive for concept
     * {@code c}, 0 when it is negative, anything else when unknown.
     */
    public void add(float[][] rows, int size, byte[][] label) {
        if (size == 0) {
            return;
        }
        if (label.length != concepts) {
            throw new IllegalArgumentException(label.length + " concept labels, expected " + concepts);
        }
        LayerMoments chunk = new LayerMoments(dim, concepts);
        chunk.accumulateChunk(rows, size, label);
        merge(chunk);
    }

    /**
     * The chunk's moments from its Gram matrix: {@code M2 = Σ x xᵀ − n μ μᵀ} (upper triangle). Rows are taken four at
     * a time, so each entry of {@code M2} is loaded and stored once per four rows (the loop over {@code j} is a vector
     * operation), and a column where all four rows are zero (dead ReLU units) is skipped.
     */
    private void accumulateChunk(float[][] rows, int size, byte[][] label) {
        double[][] block = new double[4][dim];
        for (int r0 = 0; r0 < size; r0 += 4) {
            int k = Math.min(4, size - r0);
            for (int q = 0; q < 4; q++) {
                double[] xq = block[q];
                if (q >= k) {
                    java.util.Arrays.fill(xq, 0);
                    continue;
                }
                float[] row = rows[r0 + q];
                if (row.length != dim) {
                    throw new IllegalArgumentException("row of " + row.length + " values for a layer of " + dim);
                }
                for (int i = 0; i < dim; i++) {
                    xq[i] = row[i];
                    mean[i] += xq[i];
                }
            }
            double[] x0 = block[0];
            double[] x1 = block[1];
            double[] x2 = block[2];
            double[] x3 = block[3];
            for (int i = 0; i < dim; i++) {
                double a0 = x0[i];
                double a1 = x1[i];
                double a2 = x2[i];
                double a3 = x3[i];
                if (a0 == 0 && a1 == 0 && a2 == 0 && a3 == 0) {
                    continue;
                }
                int base = i * dim;
                for (int j = i; j < dim; j++) {
                    m2[base + j] += a0 * x0[j] + a1 * x1[j] + a2 * x2[j] + a3 * x3[j];
                }
            }
        }
        double[] x = new double[dim];
        for (int r = 0; r < size; r++) {
            float[] row = rows[r];
            for (int i = 0; i < dim; i++) {
                x[i] = row[i];
            }
            for (int c = 0; c < concepts; c++) {
                byte v = label[c][r];
                if (v == 1 || v == 0) {
                    double[] acc = v == 1 ? positiveMean[c] : negativeMean[c];
                    if (v == 1) {
                        positives[c]++;
                    } else {
                        negatives[c]++;
                    }
                    for (int i = 0; i < dim; i++) {
                        acc[i] += x[i];
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
            for (int i = 0; i < dim; i++) {
                positiveMean[c][i] = positives[c] > 0 ? positiveMean[c][i] / positives[c] : 0;
                negativeMean[c][i] = negatives[c] > 0 ? negativeMean[c][i] / negatives[c] : 0;
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
            System.arraycopy(other.negatives, 0, negatives, 0, concepts);
            for (int c = 0; c < concepts; c++) {
                System.arraycopy(other.positiveMean[c], 0, positiveMean[c], 0, dim);
                System.arraycopy(other.negativeMean[c], 0, negativeMean[c], 0, dim);
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
            positives[c] = mergeMean(positiveMean[c], positives[c], other.positiveMean[c], other.positives[c]);
            negatives[c] = mergeMean(negativeMean[c], negatives[c], other.negativeMean[c], other.negatives[c]);
        }
        n = total;
    }

    /** Merges the mean {@code b} of {@code nb} rows into the mean {@code a} of {@code na} rows; the merged count. */
    private static long mergeMean(double[] a, long na, double[] b, long nb) {
        if (nb == 0) {
            return na;
        }
        for (int i = 0; i < a.length; i++) {
            a[i] += (b[i] - a[i]) * nb / (na + nb);
        }
        return na + nb;
    }

    /** An independent copy. */
    public LayerMoments copy() {
        LayerMoments m = new LayerMoments(dim, concepts);
        m.merge(this);
        return m;
    }

    @Override
    public String toString() {
        return "LayerMoments[n=" + n + ", dim=" + dim + ", positives=" + Arrays.toString(positives) + ", negatives="
                + Arrays.toString(negatives) + "]";
    }
}
