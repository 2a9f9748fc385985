package dev.engram.verify;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Small random ReLU networks and boxes for property tests of the bounds, the verifier and (through this module's test
 * jar) the compiler's lowerings.
 */
public final class RandomNets {
    private RandomNets() {
    }

    static DenseNetwork relu(long seed, int inputs, int outputs) {
        return relu(new Random(seed), inputs, outputs, 2, 11, 0.3, 0, 0);
    }

    /**
     * One to three ReLU layers of {@code minWidth} to {@code maxWidth} units, then {@code outputs} linear units. Each
     * unit draws a scale {@code s = 10^U(minLog10, maxLog10)}; its weights are {@code N(0, 1) s / sqrt(fan-in)}, its
     * bias {@code N(0, 1) s biasScale}.
     */
    static DenseNetwork relu(Random r, int inputs, int outputs, int minWidth, int maxWidth, double biasScale,
                             double minLog10, double maxLog10) {
        return relu(r, inputs, outputs, 1, 3, minWidth, maxWidth, biasScale, minLog10, maxLog10);
    }

    /**
     * {@code minHidden + r.nextInt(hiddenChoices)} ReLU layers of {@code minWidth} to {@code maxWidth} units, then
     * {@code outputs} linear units; weights {@code N(0, 1/fan-in)}, biases {@code N(0, 0.09)}.
     */
    public static DenseNetwork relu(Random r, int inputs, int outputs, int minHidden, int hiddenChoices, int minWidth,
                                    int maxWidth) {
        return relu(r, inputs, outputs, minHidden, hiddenChoices, minWidth, maxWidth, 0.3, 0, 0);
    }

    /**
     * {@code minHidden + r.nextInt(hiddenChoices)} ReLU layers of {@code minWidth} to {@code maxWidth} units, then
     * {@code outputs} linear units; weights {@code N(0, 1/fan-in)}, biases {@code N(0, biasScale²)}. (Not an overload
     * of {@code relu}: a call of the eight-argument {@code relu} with whole numbers would bind to it.)
     */
    public static DenseNetwork reluWithBias(Random r, int inputs, int outputs, int minHidden, int hiddenChoices,
                                            int minWidth, int maxWidth, double biasScale) {
        return relu(r, inputs, outputs, minHidden, hiddenChoices, minWidth, maxWidth, biasScale, 0, 0);
    }

    private static DenseNetwork relu(Random r, int inputs, int outputs, int minHidden, int hiddenChoices,
                                     int minWidth, int maxWidth, double biasScale, double minLog10, double maxLog10) {
        int depth = minHidden + r.nextInt(hiddenChoices);
        List<DenseLayer> layers = new ArrayList<>();
        int in = inputs;
        for (int l = 0; l <= depth; l++) {
            boolean last = l == depth;
            int out = last ? outputs : minWidth + r.nextInt(maxWidth - minWidth + 1);
            float[][] w = new float[out][in];
            float[] b = new float[out];
            for (int o = 0; o < out; o++) {
                double s = minLog10 == maxLog10 ? Math.pow(10, minLog10)
                        : Math.pow(10, minLog10 + (maxLog10 - minLog10) * r.nextDouble());
                for (int i = 0; i < in; i++) {
                    w[o][i] = (float) (r.nextGaussian() * s / Math.sqrt(in));
                }
                b[o] = (float) (biasScale * s * r.nextGaussian());
            }
            layers.add(new DenseLayer("l" + l, w, b, last ? Activation.IDENTITY : Activation.RELU, 0, null, null));
            in = out;
        }
        return new DenseNetwork(layers);
    }

    static Box box(long seed, int d) {
        return box(new Random(seed * 31 + 7), d, 0.7);
    }

    /** A box of dimension d: centres {@code N(0, 1)}, half-widths {@code |N(0, 1)| spread + 0.001}. */
    public static Box box(Random r, int d, double spread) {
        double[] lo = new double[d];
        double[] hi = new double[d];
        for (int i = 0; i < d; i++) {
            double c = r.nextGaussian();
            double w = Math.abs(r.nextGaussian()) * spread + 1e-3;
            lo[i] = c - w;
            hi[i] = c + w;
        }
        return new Box(lo, hi);
    }

    /** n draws of {@code N(0, 1)}, in order: a random row of output coefficients. */
    public static double[] gaussians(Random r, int n) {
        double[] c = new double[n];
        for (int j = 0; j < n; j++) {
            c[j] = r.nextGaussian();
        }
        return c;
    }

    /** k output constraints {@code c · y <= 0} over m outputs, each {@code c} drawn by {@link #gaussians}. */
    public static List<LinearConstraint> constraints(Random r, int k, int m) {
        List<LinearConstraint> conj = new ArrayList<>();
        for (int j = k; j > 0; j--) {
            conj.add(new LinearConstraint(gaussians(r, m), 0));
        }
        return conj;
    }

    /**
     * A random case drawn from {@code seed}: its stream {@code random} (after drawing the number of inputs, then of
     * outputs, from it, each uniform over its range; a range of one value draws nothing), the network
     * {@link #relu(long, int, int)} and the box {@link #box(long, int)} of that seed. The test goes on drawing from
     * the stream.
     */
    record Case(Random random, DenseNetwork net, Box box) {
        static Case of(long seed, int minInputs, int maxInputs, int minOutputs, int maxOutputs) {
            Random r = new Random(seed);
            int d = draw(r, minInputs, maxInputs);
            int m = draw(r, minOutputs, maxOutputs);
            return new Case(r, relu(seed, d, m), RandomNets.box(seed, d));
        }

        private static int draw(Random r, int min, int max) {
            return min == max ? min : min + r.nextInt(max - min + 1);
        }

        int inputs() {
            return box.dimension();
        }

        int outputs() {
            return net.outputSize();
        }
    }

    static float[] sample(Random r, Box b) {
        float[] x = new float[b.dimension()];
        for (int i = 0; i < x.length; i++) {
            double v = b.lo()[i] + r.nextDouble() * (b.hi()[i] - b.lo()[i]);
            x[i] = (float) Math.min(b.hi()[i], Math.max(b.lo()[i], v));
            if (x[i] < b.lo()[i]) {
                x[i] = Math.nextUp(x[i]);
            }
            if (x[i] > b.hi()[i]) {
                x[i] = Math.nextDown(x[i]);
            }
        }
        return x;
    }
}
