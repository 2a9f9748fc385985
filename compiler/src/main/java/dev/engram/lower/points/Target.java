package dev.engram.lower.points;

import dev.engram.verify.Box;

/**
 * One input, or every input of a box around it, that must be classified as {@code label} (the index of the largest
 * output): a point when the box has no width.
 */
public record Target(String name, Box region, int label) {
    public Target {
        if (label < 0) {
            throw new IllegalArgumentException(name + ": label " + label + " is negative");
        }
    }

    /** True when the region is one input (every side of width 0). */
    public boolean isPoint() {
        for (int i = 0; i < region.dimension(); i++) {
            if (region.hi()[i] != region.lo()[i]) {
                return false;
            }
        }
        return true;
    }

    /** The input itself, for a point (the box's lower corner, rounded to float32). */
    public float[] input() {
        float[] x = new float[region.dimension()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) region.lo()[i];
        }
        return x;
    }
}
