package dev.engram.lower;

import dev.engram.ir.Obligation;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.bounds.BoundNetwork;
import dev.engram.verify.bounds.Bounds;
import dev.engram.verify.bounds.LinearBounds;

import java.util.ArrayList;
import java.util.List;

/**
 * The exact guard lowering of {@code over BOX ensure not UNSAFE} on a ReLU network (KBANN-style). The network is
 * widened, never changed elsewhere:
 * <ol>
 *   <li>first hidden layer: per input {@code i} two units {@code relu(lo_i - x_i)} and {@code relu(x_i - hi_i)},
 *       the distance of {@code x_i} outside the box on each side;</li>
 *   <li>second hidden layer: the indicator {@code g = relu(1 - sum_i (u_i + v_i) / delta_i)}: 1 on the box, 0
 *       outside the box dilated by {@code delta}, in between on the margin;</li>
 *   <li>every later hidden layer: one unit carrying {@code g} ({@code relu(g) = g});</li>
 *   <li>output layer: a column {@code c} so the outputs become {@code y + g c}. {@code c} comes from sound lower
 *       bounds of the original network over the box: for every conjunction of the unsafe set one constraint
 *       {@code a · y <= b} is made impossible by raising the outputs {@code a} counts positively by the missing
 *       amount plus a margin (so a decision rule only pushes the forbidden output away).</li>
 * </ol>
 * New units only feed new units, so outside the dilated box the outputs are exactly the original ones.
 */
public final class GuardLowering {
    /** Extra shift beyond the bound, relative to the constraint's scale, so the proof has room. */
    static final double SAFETY = 0.02;

    private GuardLowering() {
    }

    /** The widened network and what was added. */
    public record Result(DenseNetwork network, int unitsAdded, double[] correction) {
    }

    public static Result lower(DenseNetwork net, Obligation ob) {
        if (net.layers().size() < 3) {
            throw new IllegalArgumentException(ob.name() + ": the guard needs at least two hidden layers, the network has "
                    + (net.layers().size() - 1));
        }
        for (int l = 0; l < net.layers().size() - 1; l++) {
            if (net.layers().get(l).activation() != Activation.RELU) {
                throw new IllegalArgumentException(ob.name() + ": the guard needs ReLU hidden layers; layer "
                        + net.layers().get(l).name() + " is " + net.layers().get(l).activation());
            }
        }
        if (ob.property().region().boxes().size() != 1) {
            throw new IllegalArgumentException(ob.name() + ": one guard per box; split the region first");
        }
        Box box = ob.property().region().boxes().get(0);
        double[] c = correction(net, box, ob.property().unsafe());
        int n = net.inputSize();
        double[] delta = ob.delta();
        List<DenseLayer> layers = new ArrayList<>();
        int added = 0;
        int last = net.layers().size() - 1;
        for (int l = 0; l <= last; l++) {
            DenseLayer d = net.layers().get(l);
            int in = d.inputSize();
            int out = d.outputSize();
            int extraIn = l == 0 ? 0 : l == 1 ? 2 * n : 1;
            int extraOut = l == 0 ? 2 * n : l == last ? 0 : 1;
            float[][] w = new float[out + extraOut][in + extraIn];
            float[] b = new float[out + extraOut];
            for (int o = 0; o < out; o++) {
                System.arraycopy(d.weight()[o], 0, w[o], 0, in);
                b[o] = d.bias()[o];
            }
            if (l == 0) {
                for (int i = 0; i < n; i++) {
                    w[out + 2 * i][i] = -1f;
                    b[out + 2 * i] = (float) box.lo()[i];
                    w[out + 2 * i + 1][i] = 1f;
                    b[out + 2 * i + 1] = (float) -box.hi()[i];
                }
            } else if (l == 1) {
                for (int i = 0; i < n; i++) {
                    float k = (float) (-1.0 / delta[i]);
                    w[out][in + 2 * i] = k;
                    w[out][in + 2 * i + 1] = k;
                }
                b[out] = 1f;
            } else if (l < last) {
                w[out][in] = 1f;
            } else {
                for (int o = 0; o < out; o++) {
                    w[o][in] = (float) c[o];
                }
            }
            added += extraOut;
            layers.add(new DenseLayer(d.name(), w, b, d.activation(), d.alpha(), d.weightRef(), d.biasRef()));
        }
        return new Result(new DenseNetwork(layers), added, c);
    }

    /** The output shift making every unsafe conjunction impossible on the box. */
    static double[] correction(DenseNetwork net, Box box, List<List<LinearConstraint>> unsafe) {
        BoundNetwork bn = BoundNetwork.of(net);
        LinearBounds lb = LinearBounds.forward(bn, box.lo(), box.hi(), true);
        int m = net.outputSize();
        double[] c = new double[m];
        for (int pass = 0; pass < 4; pass++) {
            boolean changed = false;
            for (List<LinearConstraint> conj : unsafe) {
                // pick the constraint needing the smallest shift
                LinearConstraint best = null;
                double need = Double.POSITIVE_INFINITY;
                for (LinearConstraint k : conj) {
                    double[] a = k.coefficients();
                    double low = lb.lowerBound(a, null, null);
                    double ac = 0;
                    double scale = Math.abs(k.bound()) + Math.abs(low);
                    for (int j = 0; j < m; j++) {
                        ac += a[j] * c[j];
                    }
                    double margin = SAFETY * (1e-3 + scale) + Bounds.margin(scale);
                    double missing = k.bound() + margin - (low + ac);
                    if (missing < need) {
                        need = missing;
                        best = k;
                    }
                }
                if (best != null && need > 0) {
                    // raise the outputs the constraint counts positively (a decision rule then only moves the
                    // forbidden output away and leaves the others alone); all of a when it has no positive part
                    double[] a = best.coefficients();
                    double[] dir = new double[m];
                    double norm = 0;
                    for (int j = 0; j < m; j++) {
                        dir[j] = Math.max(0, a[j]);
                        norm += dir[j] * a[j];
                    }
                    if (norm <= 0) {
                        dir = a.clone();
                        norm = 0;
                        for (double v : a) {
                            norm += v * v;
                        }
                    }
                    for (int j = 0; j < m; j++) {
                        c[j] += need * dir[j] / norm;
                    }
                    changed = true;
                }
            }
            if (!changed) {
                break;
            }
        }
        return c;
    }
}
