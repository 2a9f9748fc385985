package dev.engram.lower;

import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Steering on random networks: the chosen bias moves by exactly the requested (float32-rounded) amount, the outputs
 * move by the shift for output steering, and every other tensor is the very same array.
 */
class SteeringLoweringProperties {

    @Test
    void outputShiftMovesTheOutputsByTheShiftAndNothingElse() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int in = 1 + r.nextInt(8);
            DenseNetwork net = InvarianceLoweringProperties.net(r, in);
            double[] shift = new double[net.outputSize()];
            for (int j = 0; j < shift.length; j++) {
                shift[j] = r.nextInt(4) == 0 ? 0 : 5 * r.nextGaussian();
            }
            SteeringLowering.Result res = SteeringLowering.outputShift(net, shift);
            int last = net.layers().size() - 1;
            assertEquals(last, res.layer());
            DenseLayer before = net.layers().get(last);
            DenseLayer after = res.network().layers().get(last);
            int changed = 0;
            for (int j = 0; j < shift.length; j++) {
                assertEquals((float) (before.bias()[j] + shift[j]), after.bias()[j]);
                assertEquals(after.bias()[j] - before.bias()[j], res.delta()[j]);
                changed += after.bias()[j] != before.bias()[j] ? 1 : 0;
            }
            assertEquals(changed, res.touched().stream().mapToInt(TouchedTensor::changed).sum());
            assertSame(before.weight(), after.weight());
            for (int l = 0; l < last; l++) {
                assertSame(net.layers().get(l), res.network().layers().get(l));
            }
            for (int t = 0; t < 10; t++) {
                float[] x = InvarianceLoweringProperties.sample(r, in);
                float[] y0 = net.evaluate(x);
                float[] y1 = res.network().evaluate(x);
                for (int j = 0; j < y0.length; j++) {
                    double tol = 2 * Math.ulp(Math.max(Math.abs(y0[j]), Math.abs(y1[j])) + Math.abs(before.bias()[j]) + 1);
                    assertEquals(shift[j], (double) y1[j] - y0[j], tol, "output " + j);
                }
            }
        });
    }

    @Test
    void biasShiftAddsStrengthTimesDirectionToOneLayer() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            DenseNetwork net = InvarianceLoweringProperties.net(r, 1 + r.nextInt(8));
            int layer = r.nextInt(net.layers().size());
            double[] dir = new double[net.layers().get(layer).outputSize()];
            for (int j = 0; j < dir.length; j++) {
                dir[j] = r.nextGaussian();
            }
            double strength = 4 * r.nextGaussian();
            SteeringLowering.Result res = SteeringLowering.biasShift(net, layer, dir, strength);
            for (int l = 0; l < net.layers().size(); l++) {
                DenseLayer a = net.layers().get(l);
                DenseLayer b = res.network().layers().get(l);
                if (l != layer) {
                    assertSame(a, b);
                    continue;
                }
                assertSame(a.weight(), b.weight());
                for (int j = 0; j < dir.length; j++) {
                    assertEquals((float) (a.bias()[j] + strength * dir[j]), b.bias()[j]);
                }
            }
        });
    }

    @Test
    void refusesMismatchedShapes() {
        DenseNetwork net = InvarianceLoweringProperties.net(new Random(1), 3);
        assertThrows(IllegalArgumentException.class,
                () -> SteeringLowering.outputShift(net, new double[net.outputSize() + 1]));
        assertThrows(IllegalArgumentException.class,
                () -> SteeringLowering.biasShift(net, net.layers().size(), new double[1], 1));
        assertThrows(IllegalArgumentException.class,
                () -> SteeringLowering.biasShift(net, 0, new double[net.layers().get(0).outputSize()], Double.NaN));
    }
}
