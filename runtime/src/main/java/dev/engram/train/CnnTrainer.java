package dev.engram.train;

import dev.engram.data.Dataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A plain-Java trainer of a small CNN classifier ({@link ConvNet}): 3×3 convolutions with stride 2 and padding 1, each
 * followed by a ReLU, a flatten, ReLU dense layers and a linear output layer of logits; softmax cross-entropy,
 * mini-batch Adam, He initialisation. A convolution is an im2col matrix (one row per output position, one column per
 * input channel × kernel cell) times the kernel matrix. Inputs are rows in {@code C·H·W} order (an IDX image is one
 * channel). Deterministic: the same data, options and seed give bit-identical weights (single thread, fixed
 * shuffling). Built with {@code CnnTrainer.builder().setImage(1, 28, 28).setChannels(8, 16).setHidden(64).build()}.
 */
public final class CnnTrainer {
    private final int inChannels;
    private final int height;
    private final int width;
    private final int[] channels;
    private final int[] hidden;
    private final int epochs;
    private final int batchSize;
    private final double learningRate;
    private final long seed;

    private CnnTrainer(Builder b) {
        this.inChannels = b.inChannels;
        this.height = b.height;
        this.width = b.width;
        this.channels = b.channels.clone();
        this.hidden = b.hidden.clone();
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.learningRate = b.learningRate;
        this.seed = b.seed;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options of the trainer; the image shape and the convolutions' channels are required. */
    public static final class Builder {
        private int inChannels;
        private int height;
        private int width;
        private int[] channels;
        private int[] hidden = {64};
        private int epochs = 3;
        private int batchSize = 32;
        private double learningRate = 1e-3;
        private long seed = 1;

        private Builder() {
        }

        /** The input image: channels, height, width (rows of the data are {@code C·H·W} values). */
        public Builder setImage(int channels, int height, int width) {
            this.inChannels = channels;
            this.height = height;
            this.width = width;
            return this;
        }

        /** Output channels of each convolution (at least one). */
        public Builder setChannels(int... channels) {
            this.channels = channels.clone();
            return this;
        }

        /** Widths of the hidden ReLU dense layers after the flatten (none: the flatten feeds the logits). */
        public Builder optHidden(int... widths) {
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

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        public CnnTrainer build() {
            if (inChannels < 1 || height < 1 || width < 1) {
                throw new IllegalArgumentException("setImage: channels, height and width must be positive");
            }
            if (channels == null || channels.length == 0 || Arrays.stream(channels).anyMatch(c -> c < 1)) {
                throw new IllegalArgumentException("setChannels: at least one convolution, positive channels");
            }
            if (Arrays.stream(hidden).anyMatch(h -> h < 1)) {
                throw new IllegalArgumentException("hidden widths must be positive");
            }
            if (epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("epochs, batch size and learning rate must be positive");
            }
            return new CnnTrainer(this);
        }
    }

    /** The trained network, the mean training loss of each epoch and the wall time. */
    public record Result(ConvNet network, List<Double> epochLoss, long millis) {
        public Result {
            epochLoss = List.copyOf(epochLoss);
        }
    }

    /** Trains a classifier for {@code data}: one output per class, pre-softmax. */
    public Result train(Dataset data) {
        if (data.rows() == 0) {
            throw new IllegalArgumentException("no training rows");
        }
        if (data.width() != inChannels * height * width) {
            throw new IllegalArgumentException("rows have " + data.width() + " values, the image " + inChannels + "×"
                    + height + "×" + width + " has " + inChannels * height * width);
        }
        long t0 = System.nanoTime();
        Random rnd = new Random(seed);
        ConvParams p = new ConvParams(inChannels, height, width, channels, hidden, data.classes().size(), rnd);
        ConvParams.Work work = p.work();
        int n = data.rows();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        long step = 0;
        List<Double> losses = new ArrayList<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
            MlpTrainer.shuffle(order, rnd);
            double lossSum = 0;
            for (int start = 0; start < n; start += batchSize) {
                int end = Math.min(n, start + batchSize);
                p.zeroGradients();
                for (int s = start; s < end; s++) {
                    lossSum += p.example(work, data.x()[order[s]], data.y()[order[s]]);
                }
                p.adamStep(++step, end - start, learningRate);
            }
            losses.add(lossSum / n);
        }
        return new Result(p.network(), losses, (System.nanoTime() - t0) / 1_000_000);
    }
}
