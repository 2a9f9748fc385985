package dev.engram.lower;

import dev.engram.ir.Obligation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.validate.ObligationProver;
import dev.engram.verify.Verdict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Steering as bias deltas: (a) output steering shifts the outputs by a vector, as a delta on the output layer's
 * bias (the outputs are pre-activation when the last layer is linear, so they move by exactly the delta up to
 * float rounding of the sum); (b) bias steering adds {@code strength * direction} to one layer's bias, i.e. to that
 * layer's pre-activations (for a hidden layer: the activation-space steering of {@code steer toward C at layer L}).
 * Only the one bias tensor changes.
 */
public final class SteeringLowering extends OneAtATime {

    @Override
    public String name() {
        return "steering";
    }

    @Override
    public boolean accepts(Obligation ob) {
        return ob instanceof Obligation.Steer;
    }

    /**
     * Adds the shift to the bias. Hidden layers may have grown by guard units since a direction was written: the
     * shift is padded with zeros to the layer's width.
     */
    @Override
    Applied apply(DenseNetwork net, Obligation ob, Context ctx) {
        Obligation.Steer s = (Obligation.Steer) ob;
        Result r = add(net, s.layer(), Arrays.copyOf(s.shift(), net.layers().get(s.layer()).outputSize()), 1.0);
        return new Applied(r.network(), r);
    }

    /** Why the steering cannot be applied to {@code net}, or null. */
    @Override
    String whyNot(DenseNetwork net, Obligation ob) {
        Obligation.Steer s = (Obligation.Steer) ob;
        if (s.layer() < 0 || s.layer() >= net.layers().size()) {
            return "layer " + s.layer() + " outside the network's " + net.layers().size() + " layers";
        }
        int width = net.layers().get(s.layer()).outputSize();
        if (s.shift().length > width) {
            return "the shift has " + s.shift().length + " values, layer " + net.layers().get(s.layer()).name()
                    + " has " + width + " units";
        }
        for (double v : s.shift()) {
            if (!Double.isFinite(v)) {
                return "shift values must be finite";
            }
        }
        return null;
    }

    /**
     * Holds when every steered bias of {@code written} (read back from the file) is the float32 sum of the bias
     * before and the shift: the delta is exactly in the written model.
     */
    @Override
    public ObligationProver.Proof establish(DenseNetwork written, Step step, Context ctx) {
        Obligation.Steer s = (Obligation.Steer) step.obligation();
        String method = "exact: the bias delta is in the written model";
        if (s.layer() >= written.layers().size()) {
            return new ObligationProver.Proof(new Verdict.Unknown("the written model has no layer " + s.layer(), 0),
                    method);
        }
        float[] before = step.before().layers().get(s.layer()).bias();
        float[] after = written.layers().get(s.layer()).bias();
        for (int o = 0; o < s.shift().length; o++) {
            float want = (float) (before[o] + s.shift()[o]);
            if (o >= after.length || Float.floatToRawIntBits(after[o]) != Float.floatToRawIntBits(want)) {
                return new ObligationProver.Proof(new Verdict.Unknown("bias " + o + " of layer " + s.layer() + " is "
                        + (o < after.length ? after[o] : "missing") + ", not " + want, 0), method);
            }
        }
        return new ObligationProver.Proof(new Verdict.Unsat(0), method);
    }

    /** The steered network, the layer whose bias changed, the float32 delta applied to it, and what was changed. */
    public record Result(DenseNetwork network, int layer, float[] delta, List<TouchedTensor> touched)
            implements Lowering.Detail {
        public Result {
            delta = delta.clone();
            touched = List.copyOf(touched);
        }
    }

    /** Shifts the outputs by {@code shift} (model units, one value per output) through the output layer's bias. */
    public static Result outputShift(DenseNetwork net, double[] shift) {
        if (shift.length != net.outputSize()) {
            throw new IllegalArgumentException(shift.length + " shifts for " + net.outputSize() + " outputs");
        }
        return add(net, net.layers().size() - 1, shift, 1);
    }

    /**
     * Adds {@code strength * direction} to the bias of layer {@code layer} (an index into
     * {@code net.layers()}; {@code direction} has one value per unit of that layer).
     */
    public static Result biasShift(DenseNetwork net, int layer, double[] direction, double strength) {
        if (layer < 0 || layer >= net.layers().size()) {
            throw new IllegalArgumentException("layer " + layer + " outside the network's " + net.layers().size()
                    + " layers");
        }
        if (direction.length != net.layers().get(layer).outputSize()) {
            throw new IllegalArgumentException("direction has " + direction.length + " values, layer "
                    + net.layers().get(layer).name() + " has " + net.layers().get(layer).outputSize() + " units");
        }
        return add(net, layer, direction, strength);
    }

    private static Result add(DenseNetwork net, int layer, double[] v, double factor) {
        if (!Double.isFinite(factor)) {
            throw new IllegalArgumentException("strength must be finite");
        }
        DenseLayer d = net.layers().get(layer);
        float[] b = d.bias().clone();
        float[] delta = new float[b.length];
        int changed = 0;
        for (int o = 0; o < b.length; o++) {
            double add = factor * v[o];
            if (!Double.isFinite(add)) {
                throw new IllegalArgumentException("shift values must be finite");
            }
            float nb = (float) (b[o] + add);
            delta[o] = nb - b[o];
            if (Float.floatToRawIntBits(nb) != Float.floatToRawIntBits(b[o])) {
                changed++;
            }
            b[o] = nb;
        }
        List<DenseLayer> layers = new ArrayList<>(net.layers());
        layers.set(layer, new DenseLayer(d.name(), d.weight(), b, d.activation(), d.alpha(), d.weightRef(),
                d.biasRef()));
        List<TouchedTensor> touched = changed == 0 ? List.of()
                : List.of(TouchedTensor.of(layer, d, TouchedTensor.Part.BIAS, changed));
        return new Result(new DenseNetwork(layers), layer, delta, touched);
    }
}
