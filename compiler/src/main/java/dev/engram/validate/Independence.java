package dev.engram.validate;

import dev.engram.ir.Units;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a network's outputs depend on some input slots: proved structurally, and measured empirically.
 *
 * <p>Why the structural check is a proof: a {@link DenseNetwork} is a chain, so the inputs reach the outputs only
 * through the first layer's weights. When every weight from the slots is exactly {@code 0.0f}, each product
 * {@code 0 · x_i} is (signed) zero for every finite input, adds nothing to the float32 sum, and the outputs are the
 * same function of the other inputs whatever the slots hold.
 */
public final class Independence {
    private Independence() {
    }

    /**
     * The structural proof's outcome: {@code holds} when all {@code checkedWeights} first-layer weights from the
     * slots are exactly zero; otherwise {@code violations} lists the offending entries (at most 20).
     */
    public record Proof(boolean holds, int[] slots, int checkedWeights, int nonZero, List<String> violations) {
        public Proof {
            slots = slots.clone();
            violations = List.copyOf(violations);
        }
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
    public static float[][] alternatives(Units.Input input) {
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

    /** Why {@code slots} cannot be checked on {@code net}, or null when they can. */
    public static String badSlots(DenseNetwork net, int[] slots) {
        if (slots.length == 0) {
            return "no slots to ignore";
        }
        boolean[] seen = new boolean[net.inputSize()];
        for (int s : slots) {
            if (s < 0 || s >= net.inputSize()) {
                return "slot " + s + " outside the model's " + net.inputSize() + " inputs";
            }
            if (seen[s]) {
                return "slot " + s + " listed twice";
            }
            seen[s] = true;
        }
        return null;
    }

    private static void checkSlots(DenseNetwork net, int[] slots) {
        String bad = badSlots(net, slots);
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
    }
}
