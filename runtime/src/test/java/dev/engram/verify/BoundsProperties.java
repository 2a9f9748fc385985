package dev.engram.verify;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.bounds.Bounds;
import dev.engram.verify.bounds.LayerBounds;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Soundness of bound propagation: outputs of random ReLU networks at sampled inputs, executed in float32 in every
 * summation order of {@link Float32Oracle}, always lie inside the bounds, with no tolerance.
 */
class BoundsProperties {

    @Test
    void intervalAndLinearBoundsContainSampledOutputs() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            RandomNets.Case gen = RandomNets.Case.of(seed, 1, 5, 1, 4);
            DenseNetwork net = gen.net();
            Box box = gen.box();
            LayerBounds ibp = Bounds.interval(net, box);
            LayerBounds lin = Bounds.linear(net, box);
            for (int j = 0; j < net.outputSize(); j++) {
                // the linear bounds are intersected with the interval ones: never looser
                assertTrue(lin.output().lo()[j] >= ibp.output().lo()[j] && lin.output().hi()[j] <= ibp.output().hi()[j]);
            }
            for (float[] y : Float32Oracle.sampledOutputs(net, gen.random(), box, 60, x -> true)) {
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
