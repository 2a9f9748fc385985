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

    /** The parameters being trained, with their gradients, Adam moments and an input-major copy of each weight. */
    private static final class Params {
        final int[] widths;
        final int layers;
        final double[][] w;
        final double[][] b;
        final double[][] gw;
        final double[][] gb;
        final double[][] mw;
        final double[][] vw;
        final double[][] mb;
        final double[][] vb;
        final double[][] wt;

        /** He-initialised weights (seeded), zero biases. */
        Params(int[] widths, Random rnd) {
            this.widths = widths;
            layers = widths.length - 1;
            w = new double[layers][];
            b = new double[layers][];
            gw = new double[layers][];
            gb = new double[layers][];
            mw = new double[layers][];
            vw = new double[layers][];
            mb = new double[layers][];
            vb = new double[layers][];
            wt = new double[layers][];
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
            for (int l = 0; l < layers; l++) {
                wt[l] = transpose(w[l], widths[l + 1], widths[l], null);
            }
        }

        void zeroGradients() {
            for (int l = 0; l < layers; l++) {
                Arrays.fill(gw[l], 0);
                Arrays.fill(gb[l], 0);
            }
        }

        /** One Adam step on the mean of the accumulated gradients of {@code count} examples. */
        void adamStep(long step, int count, double learningRate, double weightDecay) {
            double inv = 1.0 / count;
            double c1 = 1 - Math.pow(BETA1, step);
            double c2 = 1 - Math.pow(BETA2, step);
            for (int l = 0; l < layers; l++) {
                adam(w[l], gw[l], mw[l], vw[l], inv, c1, c2, learningRate, weightDecay);
                adam(b[l], gb[l], mb[l], vb[l], inv, c1, c2, learningRate, 0);
                transpose(w[l], widths[l + 1], widths[l], wt[l]);
            }
        }

        /** The trained network in float32: ReLU hidden layers, a linear output layer. */
        DenseNetwork network() {
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
            return new DenseNetwork(out);
        }
    }

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    /** Trains a classifier for {@code data}: one output per class, pre-softmax. */
    public Result train(Dataset data) {
        if (data.rows() == 0) {
            throw new IllegalArgumentException("no training rows");
        }
        long t0 = System.nanoTime();
        int[] widths = new int[hidden.length + 2];
        widths[0] = data.width();
        System.arraycopy(hidden, 0, widths, 1, hidden.length);
        widths[widths.length - 1] = data.classes().size();
        Random rnd = new Random(seed);
        Params p = new Params(widths, rnd);
        double[][] act = new double[p.layers + 1][];
        double[][] delta = new double[p.layers][];
        for (int l = 0; l <= p.layers; l++) {
            act[l] = new double[widths[l]];
            if (l < p.layers) {
                delta[l] = new double[widths[l + 1]];
            }
        }
        int n = data.rows();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        long step = 0;
        List<Double> losses = new ArrayList<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
            shuffle(order, rnd);
            double lossSum = 0;
            for (int start = 0; start < n; start += batchSize) {
                int end = Math.min(n, start + batchSize);
                p.zeroGradients();
                for (int s = start; s < end; s++) {
                    lossSum += example(p, data.x()[order[s]], data.y()[order[s]], act, delta);
                }
                p.adamStep(++step, end - start, learningRate, weightDecay);
            }
            losses.add(lossSum / n);
        }
        return new Result(p.network(), losses, (System.nanoTime() - t0) / 1_000_000);
    }

    /** A seeded Fisher–Yates shuffle (the order of every epoch, shared by the trainers). */
    static void shuffle(int[] order, Random rnd) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /**
     * One example: the forward pass, the softmax cross-entropy loss (returned), and the backward pass adding its
     * gradient to {@code p}'s accumulators.
     */
    private static double example(Params p, float[] x, int label, double[][] act, double[][] delta) {
        int layers = p.layers;
        for (int i = 0; i < x.length; i++) {
            act[0][i] = x[i];
        }
        forward(act, p.wt, p.b, p.widths);
        double[] logits = act[layers];
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logits) {
            max = Math.max(max, v);
        }
        double z = 0;
        for (double v : logits) {
            z += Math.exp(v - max);
        }
        double loss = Math.log(z) + max - logits[label];
        double[] d = delta[layers - 1];
        for (int o = 0; o < logits.length; o++) {
            d[o] = Math.exp(logits[o] - max) / z - (o == label ? 1 : 0);
        }
        backward(p, act, delta);
        return loss;
    }

    /** Back-propagates {@code delta[layers - 1]} through ReLU layers into the gradient accumulators. */
    private static void backward(Params p, double[][] act, double[][] delta) {
        for (int l = p.layers - 1; l >= 0; l--) {
            int in = p.widths[l];
            int out = p.widths[l + 1];
            double[] a = act[l];
            double[] dl = delta[l];
            double[] wl = p.w[l];
            double[] g = p.gw[l];
            double[] prev = l > 0 ? delta[l - 1] : null;
            if (prev != null) {
                Arrays.fill(prev, 0);
            }
            for (int o = 0; o < out; o++) {
                double dv = dl[o];
                if (dv == 0) {
                    continue;
                }
                p.gb[l][o] += dv;
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

    private static void adam(double[] p, double[] g, double[] m, double[] v, double inv, double c1, double c2,
                             double learningRate, double decay) {
        for (int k = 0; k < p.length; k++) {
            double gk = g[k] * inv;
            m[k] = BETA1 * m[k] + (1 - BETA1) * gk;
            v[k] = BETA2 * v[k] + (1 - BETA2) * gk * gk;
            p[k] -= learningRate * ((m[k] / c1) / (Math.sqrt(v[k] / c2) + EPS) + decay * p[k]);
        }
    }
}
