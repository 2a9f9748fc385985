package dev.engram.dict;

import java.util.Arrays;

/**
 * Mergeable statistics of one layer's activations: the count {@code n}, the mean {@code μ}, the co-moment
 * {@code M2 = Σ (x − μ)(x − μ)ᵀ} and, for each concept {@code c}, the class-conditional first moments: the number
 * of concept-positive and concept-negative rows and their means (rows whose concept value is unknown count in the
 * layer's moments but in neither class). Everything the dictionary's closed forms need follows from these: the
 * covariance {@code M2 / (n − 1)}, the second moment {@code E[x xᵀ]}, the class means and their difference.
 *
 * <p>Rows are added a block at a time: the block's own moments are computed (the co-moment of its rows centred on
 * the block's mean, in double, {@link Gram}) and merged with Chan, Golub and LeVeque's pairwise update
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
    /** Buffers for {@link #add}'s blocks (made on first use; not part of the statistics). */
    private Gram gram;

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
     * {@code c}, 0 when it is negative, anything else when unknown. Rows are taken in blocks of at most
     * {@link Gram#BLOCK}, each block's moments computed on its own and merged.
     */
    public void add(float[][] rows, int size, byte[][] label) {
        float[] flat = new float[size * dim];
        for (int r = 0; r < size; r++) {
            if (rows[r].length != dim) {
                throw new IllegalArgumentException("row of " + rows[r].length + " values for a layer of " + dim);
            }
            System.arraycopy(rows[r], 0, flat, r * dim, dim);
        }
        add(flat, size, label);
    }

    /** As {@link #add(float[][], int, byte[][])}, with the rows stored flat, row-major, in {@code rows}. */
    public void add(float[] rows, int size, byte[][] label) {
        if (label.length != concepts) {
            throw new IllegalArgumentException(label.length + " concept labels, expected " + concepts);
        }
        if (rows.length < (long) size * dim) {
            throw new IllegalArgumentException(rows.length + " values for " + size + " rows of " + dim);
        }
        if (gram == null) {
            gram = new Gram(dim);
        }
        for (int from = 0; from < size; from += Gram.BLOCK) {
            addBlock(rows, from, Math.min(size, from + Gram.BLOCK), label);
        }
    }

    /**
     * Adds one block: its mean and class means summed in double, its co-moment {@code C̃ᵀC̃} of the rows centred on
     * its mean ({@link Gram}), then merged into these statistics as {@link #merge} would (Chan et al.), without
     * building a second accumulator.
     */
    private void addBlock(float[] rows, int from, int to, byte[][] label) {
        int k = to - from;
        double[] bm = new double[dim];
        double[][] pos = new double[concepts][dim];
        double[][] neg = new double[concepts][dim];
        long[] np = new long[concepts];
        long[] nn = new long[concepts];
        for (int r = from; r < to; r++) {
            int at = r * dim;
            for (int i = 0; i < dim; i++) {
                bm[i] += rows[at + i];
            }
            for (int c = 0; c < concepts; c++) {
                byte v = label[c][r];
                if (v == 1 || v == 0) {
                    double[] acc = v == 1 ? pos[c] : neg[c];
                    if (v == 1) {
                        np[c]++;
                    } else {
                        nn[c]++;
                    }
                    for (int i = 0; i < dim; i++) {
                        acc[i] += rows[at + i];
                    }
                }
            }
        }
        for (int i = 0; i < dim; i++) {
            bm[i] /= k;
        }
        for (int c = 0; c < concepts; c++) {
            for (int i = 0; i < dim; i++) {
                pos[c][i] = np[c] > 0 ? pos[c][i] / np[c] : 0;
                neg[c][i] = nn[c] > 0 ? neg[c][i] / nn[c] : 0;
            }
            positives[c] = mergeMean(positiveMean[c], positives[c], pos[c], np[c]);
            negatives[c] = mergeMean(negativeMean[c], negatives[c], neg[c], nn[c]);
        }
        double[] g = dim == 0 ? new double[0] : gram.centred(rows, from, to, bm);
        int stride = dim == 0 ? 0 : gram.stride();
        long total = n + k;
        double w = (double) n * k / total;
        double[] delta = new double[dim];
        for (int i = 0; i < dim; i++) {
            delta[i] = bm[i] - mean[i];
        }
        for (int i = 0; i < dim; i++) {
            double di = delta[i] * w;
            int base = i * dim;
            int gb = i * stride;
            if (n == 0) {
                System.arraycopy(g, gb + i, m2, base + i, dim - i);
            } else {
                for (int j = i; j < dim; j++) {
                    m2[base + j] += g[gb + j] + di * delta[j];
                }
            }
        }
        for (int i = 0; i < dim; i++) {
            mean[i] = n == 0 ? bm[i] : mean[i] + (bm[i] - mean[i]) * k / total;
        }
        n = total;
    }

    /** Merges {@code other} into this (Chan et al.); {@code other} is unchanged. */
    public void merge(LayerMoments other) {
        if (other.dim != dim || other.concepts != concepts) {
            throw new IllegalArgumentException("merging statistics of different layers");
        }
        for (int c = 0; c < concepts; c++) {
            positives[c] = mergeMean(positiveMean[c], positives[c], other.positiveMean[c], other.positives[c]);
            negatives[c] = mergeMean(negativeMean[c], negatives[c], other.negativeMean[c], other.negatives[c]);
        }
        if (other.n == 0) {
            return;
        }
        if (n == 0) {
            n = other.n;
            System.arraycopy(other.mean, 0, mean, 0, dim);
            System.arraycopy(other.m2, 0, m2, 0, m2.length);
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
        n = total;
    }

    /** Merges the mean {@code b} of {@code nb} rows into the mean {@code a} of {@code na} rows; the merged count. */
    private static long mergeMean(double[] a, long na, double[] b, long nb) {
        if (nb == 0) {
            return na;
        }
        if (na == 0) {
            System.arraycopy(b, 0, a, 0, a.length);
            return nb;
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
