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
import java.util.Set;

/**
 * The exact guard lowering of {@code over BOX ensure not UNSAFE} on a ReLU network (KBANN-style). The network is
 * widened, never changed elsewhere (a network with one hidden layer first gets an identity ReLU layer after it, exact
 * in float32, so that the guard has the two layers it needs; a network with none first gets a signed identity in
 * front, {@link #withSignedIdentityInFront}, then the identity ReLU layer after its signed units):
 * <ol>
 *   <li>first hidden layer: one ramp per half-space of the region: per input {@code i} two units
 *       {@code relu(lo_i - x_i)} and {@code relu(x_i - hi_i)}, the distance of {@code x_i} outside the box on each
 *       side, and per linear input constraint {@code a . x <= b} one unit {@code relu(a . x - b)};</li>
 *   <li>second hidden layer: the conjunction {@code g = relu(1 - sum_k r_k / delta_k)}: 1 on the region, 0
 *       outside the region dilated by {@code delta} (the obligation's dilation; a constraint's dilation is
 *       {@code sum_i |a_i| delta_i}), in between;</li>
 *   <li>every later hidden layer: one unit carrying {@code g} ({@code relu(g) = g}; {@code 1 · g + 0} in the linear
 *       layer of a signed identity);</li>
 *   <li>output layer: a column {@code c} so the outputs become {@code y + g c}. {@code c} comes from sound lower
 *       bounds of the original network over the box: for every conjunction of the unsafe set one constraint
 *       {@code a · y <= b} is made impossible by raising the outputs {@code a} counts positively by the missing
 *       amount plus a clearance (so a decision rule only pushes the forbidden output away).</li>
 * </ol>
 * New units only feed new units, so outside the dilated box the outputs are exactly the original ones.
 */
public final class GuardLowering extends OneAtATime {
    /** Extra shift beyond the bound, relative to the constraint's scale, so the proof has room. */
    static final double SAFETY = 0.02;

    /** The widened network, what was added, and the output correction applied on the region. */
    public record Result(DenseNetwork network, int unitsAdded, double[] correction) implements Lowering.Detail {
    }

    @Override
    public String name() {
        return "guard";
    }

    @Override
    public boolean accepts(Obligation ob) {
        return ob instanceof Obligation.Enforce e && e.strategy() == Obligation.Strategy.GUARD;
    }

    @Override
    String whyNot(DenseNetwork net, Obligation ob) {
        return whyNot(net, (Obligation.Enforce) ob);
    }

    @Override
    Applied apply(DenseNetwork net, Obligation ob, Context ctx) {
        Result g = lower(net, (Obligation.Enforce) ob, ctx.ignoredSlots());
        return new Applied(g.network(), g);
    }

    /** Why the guard cannot be applied to {@code ob} on {@code net}, or null when it can. */
    public static String whyNot(DenseNetwork net, Obligation.Enforce ob) {
        for (int l = 0; l < net.layers().size() - 1; l++) {
            if (net.layers().get(l).activation() != Activation.RELU) {
                return "the guard needs ReLU hidden layers; layer " + net.layers().get(l).name() + " is "
                        + net.layers().get(l).activation();
            }
        }
        if (ob.dilation() == null || ob.dilation().length != net.inputSize()) {
            return "the guard needs a dilation for each of the " + net.inputSize() + " inputs";
        }
        return null;
    }

    public static Result lower(DenseNetwork net, Obligation.Enforce ob) {
        return lower(net, ob, Set.of());
    }

    /**
     * The guard of {@code ob} on {@code net} ({@link #whyNot} must be null). The guard reads no input in
     * {@code ignored} (slots the model has been made independent of): their box sides and their part of the
     * region's constraints are dropped, so the guard fires on a superset of the region in those coordinates and
     * never reintroduces a dependence.
     */
    public static Result lower(DenseNetwork net0, Obligation.Enforce ob, Set<Integer> ignored) {
        String why = whyNot(net0, ob);
        if (why != null) {
            throw new IllegalArgumentException(ob.name() + ": " + why);
        }
        DenseNetwork net = net0.layers().size() == 1 ? withIdentityLayer(withSignedIdentityInFront(net0))
                : net0.layers().size() == 2 ? withIdentityLayer(net0) : net0;
        Box box = ob.box();
        double[] c = correction(net, box, ob.property().unsafe());
        int n = net.inputSize();
        double[] delta = ob.dilation();
        List<LinearConstraint> cons = new ArrayList<>();
        List<Double> consDelta = new ArrayList<>();
        constraintRamps(ob, ignored, cons, consDelta);
        int ramps = 2 * n + cons.size();
        double[] rampScale = rampScales(net.layers().get(0), cons);
        List<DenseLayer> layers = new ArrayList<>();
        int added = 0;
        int last = net.layers().size() - 1;
        for (int l = 0; l <= last; l++) {
            DenseLayer d = net.layers().get(l);
            int in = d.inputSize();
            int out = d.outputSize();
            int extraIn = l == 0 ? 0 : l == 1 ? ramps : 1;
            int extraOut = l == 0 ? ramps : l == last ? 0 : 1;
            float[][] w = new float[out + extraOut][in + extraIn];
            float[] b = new float[out + extraOut];
            for (int o = 0; o < out; o++) {
                System.arraycopy(d.weight()[o], 0, w[o], 0, in);
                b[o] = d.bias()[o];
            }
            if (l == 0) {
                for (int i = 0; i < n; i++) {
                    if (ignored.contains(i)) {
                        continue; // both ramps stay constant 0
                    }
                    float sc = (float) rampScale[0];
                    w[out + 2 * i][i] = -sc;
                    b[out + 2 * i] = sc * (float) box.lo()[i];
                    w[out + 2 * i + 1][i] = sc;
                    b[out + 2 * i + 1] = -sc * (float) box.hi()[i];
                }
                for (int k = 0; k < cons.size(); k++) {
                    double sc = rampScale[1 + k];
                    for (int i = 0; i < n; i++) {
                        w[out + 2 * n + k][i] = (float) (sc * cons.get(k).coefficients()[i]);
                    }
                    b[out + 2 * n + k] = (float) (-sc * cons.get(k).bound());
                }
            } else if (l == 1) {
                for (int i = 0; i < n; i++) {
                    float k = (float) (-1.0 / (rampScale[0] * delta[i]));
                    w[out][in + 2 * i] = k;
                    w[out][in + 2 * i + 1] = k;
                }
                for (int k = 0; k < cons.size(); k++) {
                    w[out][in + 2 * n + k] = (float) (-1.0 / (rampScale[1 + k] * consDelta.get(k)));
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
        return new Result(new DenseNetwork(layers), added + insertedUnits(net) - insertedUnits(net0), c);
    }

    /** The units of {@code net}'s inserted layers. */
    static int insertedUnits(DenseNetwork net) {
        return net.layers().stream().filter(DenseLayer::isInserted).mapToInt(DenseLayer::outputSize).sum();
    }

    /**
     * {@code net} with a signed identity in front, for an input that may be negative: {@code 2n} ReLU units
     * {@code u = (relu(x_i), relu(-x_i))} (interleaved), then a linear layer {@code z = [I, -I] u} of {@code n} units
     * (identity activation, no bias), which the network's first layer reads as it read {@code x}, unchanged. Exact in
     * float32 in any summation order: {@code ±x_i} and the ReLUs are exact, and each {@code z_i} is a sum whose terms
     * are all exactly zero but one, {@code x_i · 1} or {@code relu(-x_i) · (-1) = x_i} (every other weight is 0 and
     * every {@code u_j} finite for a finite input), so {@code z_i = x_i} bit for bit, up to the sign of a zero, however
     * the sum is associated or blocked; the first layer then sums the very same terms over the same width as in the
     * original. Its {@code 3n} units count as added.
     */
    static DenseNetwork withSignedIdentityInFront(DenseNetwork net) {
        int n = net.inputSize();
        float[][] split = new float[2 * n][n];
        float[][] unsign = new float[n][2 * n];
        for (int i = 0; i < n; i++) {
            split[2 * i][i] = 1f;
            split[2 * i + 1][i] = -1f;
            unsign[i][2 * i] = 1f;
            unsign[i][2 * i + 1] = -1f;
        }
        List<DenseLayer> layers = new ArrayList<>(net.layers());
        layers.add(0, DenseLayer.inserted("signed_identity", split, new float[2 * n], Activation.RELU));
        layers.add(1, DenseLayer.inserted("unsigned", unsign, new float[n], Activation.IDENTITY));
        return new DenseNetwork(layers);
    }

    /**
     * {@code net} with an identity ReLU layer inserted after its first (hidden, ReLU) layer: {@code relu(1·h + 0) = h}
     * bit for bit in float32, since {@code h >= 0} and multiplying by 1 and adding 0 are exact. It gives a network
     * with one hidden layer the second layer the guard's conjunction needs; its units count as added.
     */
    static DenseNetwork withIdentityLayer(DenseNetwork net) {
        List<DenseLayer> layers = new ArrayList<>(net.layers());
        layers.add(1, identity(net.layers().get(0).outputSize()));
        return new DenseNetwork(layers);
    }

    /** An inserted ReLU layer {@code relu(1·h + 0)} of width {@code n}: the identity on non-negative inputs. */
    static DenseLayer identity(int n) {
        float[][] eye = new float[n][n];
        for (int i = 0; i < n; i++) {
            eye[i][i] = 1f;
        }
        return DenseLayer.inserted("identity", eye, new float[n], Activation.RELU);
    }

    /**
     * The ramps' scales, powers of two so that scaling is exact: element 0 for the box ramps, then one per
     * constraint ramp. A ramp {@code relu(s (lo - x))} must stay finite for every finite float32 input, as the model
     * computes it — including Gemm's alpha, by which the stored weight is divided — else the existing units that read
     * it with weight 0 would compute {@code 0 · inf = NaN} outside the region: so {@code |s| ≤ min(1, alpha) / 4},
     * and a constraint ramp over several inputs is scaled down by the sum of its coefficients' magnitudes.
     */
    static double[] rampScales(DenseLayer first, List<LinearConstraint> cons) {
        double alpha = first.weightRef() == null ? 1 : Math.abs(first.weightRef().scale());
        double base = Math.min(1, alpha) / 4;
        double[] s = new double[1 + cons.size()];
        s[0] = powerOfTwoAtMost(base);
        for (int k = 0; k < cons.size(); k++) {
            double sum = 0;
            for (double a : cons.get(k).coefficients()) {
                sum += Math.abs(a);
            }
            s[1 + k] = powerOfTwoAtMost(base / Math.max(1, sum));
        }
        return s;
    }

    private static double powerOfTwoAtMost(double v) {
        return Math.scalb(1.0, Math.getExponent(v));
    }

    /**
     * The region's linear constraints as the guard reads them ({@code cons}), each with its dilation
     * {@code sum_i |a_i| delta_i} ({@code consDelta}); constraints left with no dilation are dropped.
     */
    private static void constraintRamps(Obligation.Enforce ob, Set<Integer> ignored, List<LinearConstraint> cons,
                                        List<Double> consDelta) {
        Box box = ob.box();
        double[] delta = ob.dilation();
        for (LinearConstraint k0 : ob.property().region().constraints()) {
            double[] a = k0.coefficients().clone();
            double bound = k0.bound();
            for (int i : ignored) {
                // a_i x_i <= max over the slot's box side of a_i x_i: drop the term soundly (superset)
                bound -= Math.min(a[i] * box.lo()[i], a[i] * box.hi()[i]);
                a[i] = 0;
            }
            double dk = 0;
            for (int i = 0; i < a.length; i++) {
                dk += Math.abs(a[i]) * delta[i];
            }
            if (dk > 0) {
                cons.add(new LinearConstraint(a, bound));
                consDelta.add(dk);
            }
        }
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
                    double clearance = SAFETY * (1e-3 + scale) + Bounds.roundingAllowance(scale);
                    double missing = k.bound() + clearance - (low + ac);
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
