package dev.engram.lower;

import dev.engram.check.CheckedProgram;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;

import java.util.ArrayList;
import java.util.List;

/**
 * Steering as bias deltas: (a) output steering shifts the outputs by a vector, as a delta on the output layer's
 * bias (the outputs are pre-activation when the last layer is linear, so they move by exactly the delta up to
 * float rounding of the sum); (b) bias steering adds {@code strength * direction} to one layer's bias, i.e. to that
 * layer's pre-activations (for a hidden layer: the activation-space steering of {@code steer toward C at layer L}).
 * Only the one bias tensor changes.
 */
public final class SteeringLowering {
    private SteeringLowering() {
    }

    /** The steered network, the layer whose bias changed, the float32 delta applied to it, and what was changed. */
    public record Result(DenseNetwork network, int layer, float[] delta, List<TouchedTensor> touched) {
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

    /** An output shift written in real units, mapped to model units by the outputs' {@code scale}. */
    public static double[] outputShiftInModelUnits(List<CheckedProgram.Output> outputs, int width, double[] realShift) {
        double[] m = new double[width];
        for (CheckedProgram.Output o : outputs) {
            m[o.index()] = realShift[o.index()] * o.scale();
        }
        return m;
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
