package dev.engram.ir;

import dev.engram.verify.Box;

import java.util.List;
import java.util.Random;

/**
 * Where fidelity is sampled, in model units: a box, except that each one-hot block (the slots of a categorical
 * input) is sampled as a uniformly chosen one-hot vector rather than uniformly in the box. {@code data} holds inputs
 * from real data whose decisions matter (empty unless given): a lowering that changes the function everywhere (the
 * local repair) holds their decisions.
 */
public record SampleDomain(Box box, List<int[]> oneHotBlocks, List<float[]> data) {
    public SampleDomain {
        oneHotBlocks = oneHotBlocks.stream().map(int[]::clone).toList();
        data = data.stream().map(float[]::clone).toList();
    }

    public SampleDomain(Box box, List<int[]> oneHotBlocks) {
        this(box, oneHotBlocks, List.of());
    }

    public static SampleDomain of(Box box) {
        return new SampleDomain(box, List.of());
    }

    /** This domain with {@code data} as the inputs whose decisions matter. */
    public SampleDomain withData(List<float[]> data) {
        return new SampleDomain(box, oneHotBlocks, data);
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
