package dev.engram.train;

import dev.engram.data.Dataset;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A plain-Java MLP classifier trainer: ReLU hidden layers, a linear output layer of logits, softmax cross-entropy,
 * mini-batch Adam, He initialisation. Deterministic: the same data, options and seed give bit-identical weights
 * (single thread, fixed shuffling). Built with {@code MlpTrainer.builder().setHidden(64, 32).optEpochs(5).build()}.
 */
public final class MlpTrainer {
    private final int[] hidden;
    private final int epochs;
    private final int batchSize;
    private final double learningRate;
    private final double weightDecay;
    private final long seed;

    private MlpTrainer(Builder b) {
        this.hidden = b.hidden.clone();
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.learningRate = b.learningRate;
        this.weightDecay = b.weightDecay;
        this.seed = b.seed;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options of the trainer; hidden widths are required. */
    public static final class Builder {
        private int[] hidden;
        private int epochs = 5;
        private int batchSize = 64;
        private double learningRate = 1e-3;
        private double weightDecay = 0;
        private long seed = 1;

        private Builder() {
        }

        /** Widths of the hidden ReLU layers (at least one). */
        public Builder setHidden(int... widths) {
            this.hidden = widths.clone();
            return this;
        }

        public Builder optEpochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder optLearningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** Decoupled (AdamW) weight decay on the weights, not the biases. */
        public Builder optWeightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        public MlpTrainer build() {
            if (hidden == null || hidden.length == 0) {
                throw new IllegalArgumentException("setHidden: at least one hidden layer");
            }
            for (int h : hidden) {
                if (h < 1) {
                    throw new IllegalArgumentException("hidden widths must be positive");
                }
            }
            if (epochs < 1 || batchSize < 1 || !(learningRate > 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("epochs, batch size and learning rate must be positive");
            }
            return new MlpTrainer(this);
        }
    }

    /** The trained network, the mean training loss of each epoch and the wall time. */
    public record Result(DenseNetwork network, List<Double> epochLoss, long millis) {
        public Result {
            epochLoss = List.copyOf(epochLoss);
        }
    }

    /** Trains a classifier for {@code data}: one output per class, pre-softmax. */
    public Result train(Dataset data) {
        if (data.rows() == 0) {
            throw new IllegalArgumentException("no training rows");
        }
        long t0 = System.nanoTime();
        int classes = data.classes().size();
        int[] widths = new int[hidden.length + 2];
        widths[0] = data.width();
        System.arraycopy(hidden, 0, widths, 1, hidden.length);
        widths[widths.length - 1] = classes;
        int layers = widths.length - 1;
        Random rnd = new Random(seed);
        double[][] w = new double[layers][];
        double[][] b = new double[layers][];
        double[][] gw = new double[layers][];
        double[][] gb = new double[layers][];
        double[][] mw = new double[layers][];
        double[][] vw = new double[layers][];
        double[][] mb = new double[layers][];
        double[][] vb = new double[layers][];
        for (int l = 0; l < layers; l++) {
            int in = widths[l];
            int out = widths[l + 1];
            w[l] = new double[out * in];
            double sd = Math.sqrt(2.0 / in);
            for (int k = 0; k < w[l].length; k++) {
                w[l][k] = rnd.nextGaussian() * sd;
            }
            b[l] = new double[out];
            gw[l] = new double[out * in];
            gb[l] = new double[out];
            mw[l] = new double[out * in];
            vw[l] = new double[out * in];
            mb[l] = new double[out];
            vb[l] = new double[out];
        }
        double[][] wt = new double[layers][];
        for (int l = 0; l < layers; l++) {
            wt[l] = transpose(w[l], widths[l + 1], widths[l], null);
        }
        double[][] act = new double[layers + 1][];
        double[][] delta = new double[layers][];
        for (int l = 0; l <= layers; l++) {
            act[l] = new double[widths[l]];
            if (l < layers) {
                delta[l] = new double[widths[l + 1]];
            }
        }
        int n = data.rows();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        double beta1 = 0.9;
        double beta2 = 0.999;
        double eps = 1e-8;
        long step = 0;
        List<Double> losses = new ArrayList<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            double lossSum = 0;
            for (int start = 0; start < n; start += batchSize) {
                int end = Math.min(n, start + batchSize);
                for (int l = 0; l < layers; l++) {
                    Arrays.fill(gw[l], 0);
                    Arrays.fill(gb[l], 0);
                }
                for (int s = start; s < end; s++) {
                    int r = order[s];
                    float[] x = data.x()[r];
                    for (int i = 0; i < x.length; i++) {
                        act[0][i] = x[i];
                    }
                    forward(act, wt, b, widths);
                    // softmax cross-entropy
                    double[] logits = act[layers];
                    double max = Double.NEGATIVE_INFINITY;
                    for (double v : logits) {
                        max = Math.max(max, v);
                    }
                    double z = 0;
                    for (double v : logits) {
                        z += Math.exp(v - max);
                    }
                    int label = data.y()[r];
                    lossSum += Math.log(z) + max - logits[label];
                    double[] d = delta[layers - 1];
                    for (int o = 0; o < classes; o++) {
                        d[o] = Math.exp(logits[o] - max) / z - (o == label ? 1 : 0);
                    }
                    // backward
                    for (int l = layers - 1; l >= 0; l--) {
                        int in = widths[l];
                        int out = widths[l + 1];
                        double[] a = act[l];
                        double[] dl = delta[l];
                        double[] wl = w[l];
                        double[] g = gw[l];
                        double[] prev = l > 0 ? delta[l - 1] : null;
                        if (prev != null) {
                            Arrays.fill(prev, 0);
                        }
                        for (int o = 0; o < out; o++) {
                            double dv = dl[o];
                            if (dv == 0) {
                                continue;
                            }
                            gb[l][o] += dv;
                            int base = o * in;
                            for (int i = 0; i < in; i++) {
                                g[base + i] += dv * a[i];
                            }
                            if (prev != null) {
                                for (int i = 0; i < in; i++) {
                                    prev[i] += dv * wl[base + i];
                                }
                            }
                        }
                        if (prev != null) {
                            for (int i = 0; i < in; i++) {
                                if (a[i] <= 0) {
                                    prev[i] = 0;
                                }
                            }
                        }
                    }
                }
                // Adam step on the batch mean gradient
                step++;
                double inv = 1.0 / (end - start);
                double c1 = 1 - Math.pow(beta1, step);
                double c2 = 1 - Math.pow(beta2, step);
                for (int l = 0; l < layers; l++) {
                    adam(w[l], gw[l], mw[l], vw[l], inv, c1, c2, beta1, beta2, eps, weightDecay);
                    adam(b[l], gb[l], mb[l], vb[l], inv, c1, c2, beta1, beta2, eps, 0);
                    transpose(w[l], widths[l + 1], widths[l], wt[l]);
                }
            }
            losses.add(lossSum / n);
        }
        List<DenseLayer> out = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            int in = widths[l];
            int o = widths[l + 1];
            float[][] fw = new float[o][in];
            float[] fb = new float[o];
            for (int r = 0; r < o; r++) {
                for (int i = 0; i < in; i++) {
                    fw[r][i] = (float) w[l][r * in + i];
                }
                fb[r] = (float) b[l][r];
            }
            out.add(DenseLayer.of("layer" + l, fw, fb, l < layers - 1 ? Activation.RELU : Activation.IDENTITY));
        }
        return new Result(new DenseNetwork(out), losses, (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * The forward pass of one example: {@code act[0]} is the input, {@code act[l + 1]} receives layer l's output.
     * Weights are read input-major ({@code wt[l][i * out + o]}) so that the loop over outputs is a vector operation
     * and inputs that are exactly zero (ReLU units, blank pixels) are skipped; each output's sum still runs over the
     * inputs in order from the bias, so the result equals the row-by-row dot product bit for bit.
     */
    private static void forward(double[][] act, double[][] wt, double[][] b, int[] widths) {
        int layers = widths.length - 1;
        for (int l = 0; l < layers; l++) {
            int in = widths[l];
            int out = widths[l + 1];
            double[] a = act[l];
            double[] z = act[l + 1];
            double[] wl = wt[l];
            System.arraycopy(b[l], 0, z, 0, out);
            for (int i = 0; i < in; i++) {
                double ai = a[i];
                if (ai == 0) {
                    continue;
                }
                int base = i * out;
                for (int o = 0; o < out; o++) {
                    z[o] += wl[base + o] * ai;
                }
            }
            if (l < layers - 1) {
                for (int o = 0; o < out; o++) {
                    if (z[o] < 0) {
                        z[o] = 0;
                    }
                }
            }
        }
    }

    /** {@code w} ({@code rows × cols}, row-major) transposed into {@code into} (allocated when null). */
    private static double[] transpose(double[] w, int rows, int cols, double[] into) {
        double[] t = into == null ? new double[w.length] : into;
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = w[base + c];
            }
        }
        return t;
    }

    private void adam(double[] p, double[] g, double[] m, double[] v, double inv, double c1, double c2,
                      double beta1, double beta2, double eps, double decay) {
        for (int k = 0; k < p.length; k++) {
            double gk = g[k] * inv;
            m[k] = beta1 * m[k] + (1 - beta1) * gk;
            v[k] = beta2 * v[k] + (1 - beta2) * gk * gk;
            p[k] -= learningRate * ((m[k] / c1) / (Math.sqrt(v[k] / c2) + eps) + decay * p[k]);
        }
    }
}
