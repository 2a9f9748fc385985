package dev.engram.verify.monotone;

import dev.engram.verify.InputRegion;

import java.util.Arrays;
import java.util.List;

/**
 * A monotonicity property in model units: over {@code region}, {@code objective · y} (a linear form of the outputs)
 * must not decrease when input {@code slot} grows and every other input stays fixed. A statement "decreasing", or an
 * input or output with a negative scale, is written here with the objective's sign flipped, so the requirement is
 * always "non-decreasing". {@code oneHotBlocks} are groups of input slots that encode one categorical value
 * (at most one of them is 1, the rest 0): proofs cover the whole box, and counterexamples are searched among inputs
 * that respect the blocks, so that they are inputs a user could give.
 */
public record Monotonicity(String name, InputRegion region, double[] objective, int slot, List<int[]> oneHotBlocks) {
    public Monotonicity {
        objective = objective.clone();
        oneHotBlocks = oneHotBlocks.stream().map(int[]::clone).toList();
        if (region.boxes().size() != 1) {
            throw new IllegalArgumentException(name + ": one box per monotonicity; split the region first");
        }
        if (slot < 0 || slot >= region.boxes().get(0).dimension()) {
            throw new IllegalArgumentException(name + ": input slot " + slot + " outside the region's "
                    + region.boxes().get(0).dimension() + " inputs");
        }
        boolean any = false;
        for (double c : objective) {
            if (!Double.isFinite(c)) {
                throw new IllegalArgumentException(name + ": objective coefficients must be finite");
            }
            any |= c != 0;
        }
        if (!any) {
            throw new IllegalArgumentException(name + ": the objective is zero");
        }
    }

    /** Without one-hot blocks. */
    public Monotonicity(String name, InputRegion region, double[] objective, int slot) {
        this(name, region, objective, slot, List.of());
    }

    /** The region's box. */
    public dev.engram.verify.Box box() {
        return region.boxes().get(0);
    }

    /** {@code objective · y}, in double. */
    public double value(float[] y) {
        double s = 0;
        for (int k = 0; k < objective.length; k++) {
            s += objective[k] * y[k];
        }
        return s;
    }

    @Override
    public String toString() {
        return "Monotonicity[" + name + ", slot " + slot + ", objective " + Arrays.toString(objective) + "]";
    }
}
