package dev.engram.ir;

import dev.engram.verify.Box;

import java.util.List;
import java.util.Random;

/**
 * Where fidelity is sampled, in model units: a box, except that each one-hot block (the slots of a categorical
 * input) is sampled as a uniformly chosen one-hot vector rather than uniformly in the box.
 */
public record SampleDomain(Box box, List<int[]> oneHotBlocks) {
    public SampleDomain {
        oneHotBlocks = oneHotBlocks.stream().map(int[]::clone).toList();
    }

    public static SampleDomain of(Box box) {
        return new SampleDomain(box, List.of());
    }

    /** One sample, rounded to float32. */
    public float[] sample(Random r) {
        int d = box.dimension();
        float[] x = new float[d];
        for (int i = 0; i < d; i++) {
            x[i] = (float) (box.lo()[i] + r.nextDouble() * (box.hi()[i] - box.lo()[i]));
        }
        for (int[] block : oneHotBlocks) {
            int hot = block[r.nextInt(block.length)];
            for (int s : block) {
                x[s] = s == hot ? 1f : 0f;
            }
        }
        return x;
    }
}
