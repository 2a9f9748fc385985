package dev.engram.lower;

import dev.engram.ir.Obligation;
import dev.engram.ir.Units;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.validate.Independence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The exact lowering of {@code ignore INPUT}: the input's first-layer contribution is replaced by its expected
 * value. For the input's slots {@code S} (one for a real input, the whole one-hot block for a categorical one) the
 * first layer becomes {@code b' = b + W[:,S] · E[x_S]} and {@code W'[:,S] = 0}; nothing else changes.
 *
 * <p>Why this is exact: a {@link DenseNetwork} is a chain, so the inputs reach the outputs only through the first
 * layer's weights. When every weight from {@code S} is exactly {@code 0.0f}, each product {@code 0 · x_i} is
 * (signed) zero for every finite input, adds nothing to the float32 sum, and the outputs are the same function of
 * the other inputs whatever {@code x_S} holds. {@link Independence#prove} checks exactly that on the network as read
 * back from the written model file.
 * When {@code x_S} equals its expected value the outputs equal the original network's up to float rounding of the
 * folded bias.
 */
public final class InvarianceLowering extends OneAtATime {

    @Override
    public String name() {
        return "invariance";
    }

    @Override
    public boolean accepts(Obligation ob) {
        return ob instanceof Obligation.Invariance;
    }

    @Override
    String whyNot(DenseNetwork net, Obligation ob) {
        return Independence.badSlots(net, ((Obligation.Invariance) ob).slots());
    }

    @Override
    Applied apply(DenseNetwork net, Obligation ob, Context ctx) {
        Obligation.Invariance inv = (Obligation.Invariance) ob;
        Result r = lower(net, inv.slots(), inv.expected());
        return new Applied(r.network(), r);
    }

    /** The lowered network, the slots and expected values used, and the tensors changed. */
    public record Result(DenseNetwork network, int[] slots, double[] expected, List<TouchedTensor> touched)
            implements Lowering.Detail {
        public Result {
            slots = slots.clone();
            expected = expected.clone();
            touched = List.copyOf(touched);
        }
    }

    /**
     * Replaces the first-layer contribution of {@code slots} by its value at {@code expected} (model units, one value
     * per slot): the fold is computed in double and rounded once to float32.
     */
    public static Result lower(DenseNetwork net, int[] slots, double[] expected) {
        checkSlots(net, slots);
        if (expected.length != slots.length) {
            throw new IllegalArgumentException(slots.length + " slots but " + expected.length + " expected values");
        }
        for (double e : expected) {
            if (!Double.isFinite(e)) {
                throw new IllegalArgumentException("expected values must be finite");
            }
        }
        DenseLayer first = net.layers().get(0);
        int out = first.outputSize();
        float[][] w = new float[out][];
        float[] b = new float[out];
        int weights = 0;
        int biases = 0;
        for (int o = 0; o < out; o++) {
            float[] row = first.weight()[o].clone();
            double fold = first.bias()[o];
            for (int k = 0; k < slots.length; k++) {
                float v = row[slots[k]];
                fold += (double) v * expected[k];
                if (Float.floatToRawIntBits(v) != 0) {
                    weights++;
                }
                row[slots[k]] = 0f;
            }
            w[o] = row;
            b[o] = (float) fold;
            if (Float.floatToRawIntBits(b[o]) != Float.floatToRawIntBits(first.bias()[o])) {
                biases++;
            }
        }
        List<DenseLayer> layers = new ArrayList<>(net.layers());
        layers.set(0, new DenseLayer(first.name(), w, b, first.activation(), first.alpha(), first.weightRef(),
                first.biasRef()));
        List<TouchedTensor> touched = new ArrayList<>();
        if (weights > 0) {
            touched.add(TouchedTensor.of(0, first, TouchedTensor.Part.WEIGHT, weights));
        }
        if (biases > 0) {
            touched.add(TouchedTensor.of(0, first, TouchedTensor.Part.BIAS, biases));
        }
        return new Result(new DenseNetwork(layers), slots, expected, touched);
    }

    /** The lowering of {@code ignore input}, the expected value taken from the input's declared domain. */
    public static Result lower(DenseNetwork net, Units.Input input) {
        return lower(net, input.slots(), input.expected());
    }

    /** The lowering of {@code ignore input}, the expected value taken from data (encoded model inputs). */
    public static Result lower(DenseNetwork net, Units.Input input, float[][] data) {
        return lower(net, input.slots(), expectedFromData(data, input.slots()));
    }

    /** The mean of each slot's column over encoded rows (model units). */
    public static double[] expectedFromData(float[][] rows, int[] slots) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("no rows to take the expected value from");
        }
        double[] e = new double[slots.length];
        for (float[] row : rows) {
            for (int k = 0; k < slots.length; k++) {
                e[k] += row[slots[k]];
            }
        }
        for (int k = 0; k < e.length; k++) {
            e[k] /= rows.length;
        }
        return e;
    }

    private static void checkSlots(DenseNetwork net, int[] slots) {
        String bad = Independence.badSlots(net, slots);
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
    }
}
