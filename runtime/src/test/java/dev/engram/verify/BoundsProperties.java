package dev.engram.verify;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.bounds.Bounds;
import dev.engram.verify.bounds.LayerBounds;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/** Soundness of bound propagation: sampled outputs of random ReLU networks always lie inside the bounds. */
class BoundsProperties {

    @Test
    void intervalAndLinearBoundsContainSampledOutputs() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int d = 1 + r.nextInt(5);
            DenseNetwork net = RandomNets.relu(seed, d, 1 + r.nextInt(4));
            Box box = RandomNets.box(seed, d);
            LayerBounds ibp = Bounds.interval(net, box);
            LayerBounds lin = Bounds.linear(net, box);
            for (int j = 0; j < net.outputSize(); j++) {
                // the linear bounds are never looser than the interval ones by more than the margin
                assertTrue(lin.output().lo()[j] >= ibp.output().lo()[j] - 1e-6 * (1 + Math.abs(ibp.output().lo()[j])));
            }
            for (int s = 0; s < 200; s++) {
                float[] y = net.evaluate(RandomNets.sample(r, box));
                for (int j = 0; j < y.length; j++) {
                    assertTrue(y[j] >= lin.output().lo()[j] && y[j] <= lin.output().hi()[j],
                            "seed " + seed + ": output " + j + " = " + y[j] + " outside linear bounds ["
                                    + lin.output().lo()[j] + ", " + lin.output().hi()[j] + "]");
                    assertTrue(y[j] >= ibp.output().lo()[j] && y[j] <= ibp.output().hi()[j], "seed " + seed);
                }
            }
        });
    }
}
