package dev.engram.ir;

import java.util.List;

/**
 * What the neural-code dictionary knows about one learned concept at one layer, in the units of that layer's
 * activations (layer {@code L}: the activations after the {@code L}-th dense layer; 0 is the input): the probe's
 * unit direction and threshold (positive when {@code direction · h > threshold}), the concept-positive and -negative
 * means, the layer's mean and covariance over the data the concept was learned from ({@code dim × dim}, row-major),
 * the number of examples behind them, the probe's quality on held-out examples ({@code heldOut} of them), and the
 * layer where the concept is coded best with its AUC (for the quality gate's message), and the concept's row of the
 * neural-code map: its held-out quality at every layer the dictionary tapped. Arrays are treated as immutable.
 */
public record ConceptCode(String concept, int layer, double[] direction, double threshold, double[] positiveMean,
                          double[] negativeMean, double[] mean, double[] covariance, long count, long positives,
                          long negatives, double auc, double accuracy, long heldOut, int bestLayer, double bestAuc,
                          List<Quality> map) {
    public ConceptCode {
        int d = direction.length;
        if (positiveMean.length != d || negativeMean.length != d || mean.length != d || covariance.length != d * d) {
            throw new IllegalArgumentException(concept + ": inconsistent dimensions at layer " + layer);
        }
        map = List.copyOf(map);
    }

    /** The held-out quality of the concept's probe at one layer (AUC and accuracy NaN when unmeasurable). */
    public record Quality(int layer, double auc, double accuracy) {
    }

    /**
     * Why this code is too weak for an edit through it (held-out AUC below {@code minAuc}), with the measured quality
     * and the best layer; null when it is strong enough.
     */
    public String weakness(double minAuc) {
        if (auc >= minAuc) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "concept '%s' is coded too weakly at layer %d: held-out AUC %.3f "
                + "below --min-auc %.2f (accuracy %.3f on %d held-out examples); the best layer is %d (AUC %.3f); give "
                + "more or cleaner examples, name a better layer ('at layer %d'), or lower --min-auc", concept, layer,
                auc, minAuc, accuracy, heldOut, bestLayer, bestAuc, bestLayer);
    }

    /** The layer's width. */
    public int dim() {
        return direction.length;
    }

    /** The second moment {@code E[h hᵀ] = Σ (n − 1)/n + μ μᵀ} (row-major): the key covariance of rank-one edits. */
    public double[] secondMoment() {
        int d = dim();
        double[] c = new double[d * d];
        double f = count > 1 ? (count - 1.0) / count : 1;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                c[i * d + j] = covariance[i * d + j] * f + mean[i] * mean[j];
            }
        }
        return c;
    }

    /** The probe's score {@code direction · h − threshold} of an activation vector (positive: the concept holds). */
    public double score(float[] h) {
        double s = -threshold;
        for (int i = 0; i < direction.length; i++) {
            s += direction[i] * h[i];
        }
        return s;
    }
}
