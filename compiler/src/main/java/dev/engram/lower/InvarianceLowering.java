package dev.engram.lower;

import dev.engram.check.CheckedProgram;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;

import java.nio.file.Path;
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
 * the other inputs whatever {@code x_S} holds. {@link #prove(DenseNetwork, int[])} checks exactly that, and
 * {@link #proveFile(Path, int[])} does so on the network as read back from the written model file.
 * When {@code x_S} equals its expected value the outputs equal the original network's up to float rounding of the
 * folded bias.
 */
public final class InvarianceLowering {
    private InvarianceLowering() {
    }

    /** The lowered network, the slots and expected values used, and the tensors changed. */
    public record Result(DenseNetwork network, int[] slots, double[] expected, List<TouchedTensor> touched) {
        public Result {
            slots = slots.clone();
            expected = expected.clone();
            touched = List.copyOf(touched);
        }
    }

    /**
     * The proof obligation's outcome: {@code holds} when all {@code checkedWeights} first-layer weights from the
     * slots are exactly zero; otherwise {@code violations} lists the offending entries (at most 20).
     */
    public record Proof(boolean holds, int[] slots, int checkedWeights, int nonZero, List<String> violations) {
        public Proof {
            slots = slots.clone();
            violations = List.copyOf(violations);
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

    /** The lowering of a checked {@code ignore} with the expected value taken from the input's declared domain. */
    public static Result lower(DenseNetwork net, CheckedProgram.Input input) {
        return lower(net, slots(input), expectedFromDomain(input));
    }

    /** The lowering of a checked {@code ignore} with the expected value taken from data (encoded model inputs). */
    public static Result lower(DenseNetwork net, CheckedProgram.Input input, float[][] data) {
        int[] s = slots(input);
        return lower(net, s, expectedFromData(data, s));
    }

    /** The lowering of a checked {@code ignore} statement of {@code program}, expected value from the domain. */
    public static Result lower(DenseNetwork net, CheckedProgram program, CheckedProgram.Invariance inv) {
        return lower(net, input(program, inv));
    }

    /** The declared input an {@code ignore} statement names. */
    public static CheckedProgram.Input input(CheckedProgram program, CheckedProgram.Invariance inv) {
        for (CheckedProgram.Input in : program.inputs()) {
            if (in.name().equals(inv.input())) {
                return in;
            }
        }
        throw new IllegalArgumentException("no input '" + inv.input() + "' in " + program.path());
    }

    /** The model input slots of an input: its index, or its whole one-hot block. */
    public static int[] slots(CheckedProgram.Input input) {
        int[] s = new int[input.width()];
        for (int k = 0; k < s.length; k++) {
            s[k] = input.index() + k;
        }
        return s;
    }

    /** The slots of a checked {@code ignore} statement. */
    public static int[] slots(CheckedProgram.Invariance inv) {
        return inv.slots().stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The expected value from the declared domain, in model units: the midpoint of {@code [lo, hi]} for a real
     * input (mapped by {@code real * scale + offset}); {@code 1/k} per slot for a categorical input of {@code k}
     * values (uniform over the values).
     */
    public static double[] expectedFromDomain(CheckedProgram.Input input) {
        if (input.categorical()) {
            double[] e = new double[input.width()];
            Arrays.fill(e, 1.0 / input.width());
            return e;
        }
        double mid = (input.lo() + input.hi()) / 2;
        return new double[] {mid * input.scale() + input.offset()};
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

    /**
     * Proves that the outputs of {@code net} do not depend on {@code slots}: every first-layer weight from the slots
     * must be exactly {@code 0.0f} (or {@code -0.0f}). The check is exact, not sampled.
     */
    public static Proof prove(DenseNetwork net, int[] slots) {
        checkSlots(net, slots);
        DenseLayer first = net.layers().get(0);
        int nonZero = 0;
        List<String> bad = new ArrayList<>();
        for (int o = 0; o < first.outputSize(); o++) {
            for (int s : slots) {
                float v = first.weight()[o][s];
                if (v != 0f) {
                    nonZero++;
                    if (bad.size() < 20) {
                        bad.add(first.name() + ".weight[" + o + "][" + s + "] = " + v);
                    }
                }
            }
        }
        return new Proof(nonZero == 0, slots, first.outputSize() * slots.length, nonZero, bad);
    }

    /**
     * {@link #prove(DenseNetwork, int[])} on the network as read back from a model file. Sound for the whole file:
     * the dense extraction accepts only a single chain from the input to the output (it refuses branches and nodes
     * off the chain), so the first layer's weights are the only way the inputs reach the outputs.
     */
    public static Proof proveFile(Path model, int[] slots) {
        return prove(Models.readDense(model), slots);
    }

    /**
     * Empirical check: for every sample, the largest output change when the slots take each of the
     * {@code alternatives} (one value per slot each) instead of the sample's own values. Exactly 0 for an
     * independent network.
     */
    public static double maxFlipChange(DenseNetwork net, int[] slots, float[][] samples, float[][] alternatives) {
        checkSlots(net, slots);
        double max = 0;
        for (float[] sample : samples) {
            float[] base = net.evaluate(sample);
            for (float[] alt : alternatives) {
                if (alt.length != slots.length) {
                    throw new IllegalArgumentException("an alternative needs one value per slot");
                }
                float[] x = sample.clone();
                for (int k = 0; k < slots.length; k++) {
                    x[slots[k]] = alt[k];
                }
                float[] y = net.evaluate(x);
                for (int j = 0; j < y.length; j++) {
                    double d = Math.abs((double) y[j] - base[j]);
                    if (!(d <= max)) {
                        max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                    }
                }
            }
        }
        return max;
    }

    /**
     * Alternatives to flip an input through, in model units: each one-hot vector (and the all-zero block) for a
     * categorical input; the domain's ends and midpoint for a real input.
     */
    public static float[][] alternatives(CheckedProgram.Input input) {
        if (input.categorical()) {
            float[][] a = new float[input.width() + 1][input.width()];
            for (int k = 0; k < input.width(); k++) {
                a[k][k] = 1f;
            }
            return a;
        }
        double lo = input.lo() * input.scale() + input.offset();
        double hi = input.hi() * input.scale() + input.offset();
        return new float[][] {{(float) lo}, {(float) ((lo + hi) / 2)}, {(float) hi}};
    }

    private static void checkSlots(DenseNetwork net, int[] slots) {
        if (slots.length == 0) {
            throw new IllegalArgumentException("no slots to ignore");
        }
        boolean[] seen = new boolean[net.inputSize()];
        for (int s : slots) {
            if (s < 0 || s >= net.inputSize()) {
                throw new IllegalArgumentException("slot " + s + " outside the model's " + net.inputSize() + " inputs");
            }
            if (seen[s]) {
                throw new IllegalArgumentException("slot " + s + " listed twice");
            }
            seen[s] = true;
        }
    }
}
