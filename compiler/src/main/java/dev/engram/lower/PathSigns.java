package dev.engram.lower;

import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The monotone lowering's fallback closed form, for regions where the derivative bounds leave the signs of the hidden
 * units' derivatives open: every path from the monotone input to the objective is made to carry one sign, so the
 * derivative is non-negative on <em>every</em> activation pattern, whatever the bounds.
 *
 * <p>A <em>frozen copy</em> of the hidden layers is added beside them: the same units with the input held at a
 * constant {@code c} (its first-layer weights 0, {@code w·c} folded into the bias), so it does not depend on the input
 * at all (exactly: its weights from the input are {@code 0.0f}). Each first-layer unit's derivative has the sign
 * {@code σ_i} of its weight from the input (a ReLU or leaky ReLU only scales it by a factor in {@code [0, 1]}). Each
 * unit {@code j} of a later hidden layer gets the sign {@code τ_j} of the larger of its positive and negative
 * contributions (weighted by the mean {@code |h_i|}); a weight whose contribution has the other sign is moved from
 * unit {@code i} to {@code i}'s frozen copy, so that path still carries {@code i}'s value, with the input held at
 * {@code c}. In the output layer, a unit whose objective weight {@code a·W_L[:, j]} disagrees with {@code τ_j} has its
 * outgoing weights moved to its frozen copy. Every path from the input then has one sign per unit, which the interval
 * bounds keep exactly ({@code DerivativeBounds}); the function changes only where the moved paths see the input away
 * from {@code c}. {@code c} is 0 in model units (the training mean for inputs normalised by their mean) when the
 * domain contains it, else the domain's centre. The hidden layers double in width.
 */
final class PathSigns {
    private PathSigns() {
    }

    /** The network with one-signed paths from {@code slot} to the objective {@code a}. */
    static DenseNetwork apply(DenseNetwork net, int slot, double[] a, Lowering.Context ctx, int samples) {
        int last = net.layers().size() - 1;
        double lo = ctx.domain().box().lo()[slot];
        double hi = ctx.domain().box().hi()[slot];
        double c = lo <= 0 && hi >= 0 ? 0 : (lo + hi) / 2;
        float[][] xs = new float[samples][];
        Random r = new Random(ctx.seed());
        for (int s = 0; s < samples; s++) {
            xs[s] = ctx.domain().sample(r);
        }
        List<DenseLayer> layers = new ArrayList<>();
        layers.add(firstLayer(net.layers().get(0), slot, c));
        int[] sigma = new int[net.layers().get(0).outputSize()];
        for (int o = 0; o < sigma.length; o++) {
            sigma[o] = (int) Math.signum(net.layers().get(0).weight()[o][slot]);
        }
        for (int l = 1; l < last; l++) {
            double[] mean = meanAbs(new DenseNetwork(net.layers().subList(0, l)), xs);
            int[] tau = new int[net.layers().get(l).outputSize()];
            layers.add(hiddenLayer(net.layers().get(l), sigma, mean, tau));
            sigma = tau;
        }
        layers.add(outputLayer(net.layers().get(last), sigma, a, last == 0));
        return new DenseNetwork(layers);
    }

    /** The first layer: its units, then their frozen copies (weight 0 from {@code slot}, {@code w·c} in the bias). */
    private static DenseLayer firstLayer(DenseLayer d, int slot, double c) {
        int n = d.outputSize();
        float[][] w = new float[2 * n][];
        float[] b = new float[2 * n];
        for (int o = 0; o < n; o++) {
            w[o] = d.weight()[o].clone();
            b[o] = d.bias()[o];
            w[n + o] = d.weight()[o].clone();
            w[n + o][slot] = 0f;
            b[n + o] = (float) (d.bias()[o] + (double) d.weight()[o][slot] * c);
        }
        return widened(d, w, b);
    }

    /**
     * A later hidden layer over [units, frozen copies]: unit {@code j} keeps the weights whose contribution has the
     * sign {@code tau[j]} it is given, and reads the others from the frozen copies; its frozen copy reads only frozen
     * copies.
     */
    private static DenseLayer hiddenLayer(DenseLayer d, int[] sigma, double[] mean, int[] tau) {
        int n = d.outputSize();
        int in = d.inputSize();
        float[][] w = new float[2 * n][2 * in];
        float[] b = new float[2 * n];
        for (int j = 0; j < n; j++) {
            float[] row = d.weight()[j];
            double pos = 0;
            double neg = 0;
            for (int i = 0; i < in; i++) {
                double contribution = row[i] * sigma[i] * mean[i];
                pos += Math.max(contribution, 0);
                neg += Math.max(-contribution, 0);
            }
            tau[j] = pos == 0 && neg == 0 ? 0 : pos >= neg ? 1 : -1;
            for (int i = 0; i < in; i++) {
                boolean against = Math.signum(row[i]) * sigma[i] * tau[j] < 0;
                w[j][against ? in + i : i] = row[i];
                w[n + j][in + i] = row[i];
            }
            b[j] = d.bias()[j];
            b[n + j] = d.bias()[j];
        }
        return widened(d, w, b);
    }

    /** The output layer: a unit whose objective weight disagrees with its sign is read from its frozen copy. */
    private static DenseLayer outputLayer(DenseLayer d, int[] sigma, double[] a, boolean noHidden) {
        if (noHidden) {
            return d;
        }
        int in = d.inputSize();
        float[][] w = new float[d.outputSize()][2 * in];
        for (int j = 0; j < in; j++) {
            double v = 0;
            double mag = 0;
            for (int k = 0; k < a.length; k++) {
                v += a[k] * d.weight()[k][j];
                mag += Math.abs(a[k] * d.weight()[k][j]);
            }
            boolean against = sigma[j] != 0 && (Math.signum(v) * sigma[j] < 0 || Math.abs(v) <= 1e-9 * mag);
            for (int k = 0; k < w.length; k++) {
                w[k][against ? in + j : j] = d.weight()[k][j];
            }
        }
        return new DenseLayer(d.name(), w, d.bias().clone(), d.activation(), d.alpha(), d.weightRef(), d.biasRef());
    }

    private static DenseLayer widened(DenseLayer d, float[][] w, float[] b) {
        return new DenseLayer(d.name(), w, b, d.activation(), d.alpha(), d.weightRef(), d.biasRef());
    }

    /** The mean magnitude of each unit of {@code body}'s last layer over {@code xs}. */
    private static double[] meanAbs(DenseNetwork body, float[][] xs) {
        double[] mean = new double[body.outputSize()];
        for (float[] x : xs) {
            float[] h = body.evaluate(x);
            for (int j = 0; j < mean.length; j++) {
                mean[j] += Math.abs(h[j]) / xs.length;
            }
        }
        return mean;
    }
}
