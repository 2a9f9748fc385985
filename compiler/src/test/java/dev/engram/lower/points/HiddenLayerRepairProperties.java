package dev.engram.lower.points;

import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.lower.repair.PointRepairProperties;
import dev.engram.verify.Box;
import dev.engram.verify.RandomNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The earlier-layer repair ({@link HiddenLayerRepair}) on random ReLU classifiers (2–3 hidden layers of 4–10 units,
 * 2–5 inputs in [0, 1], 2–4 classes), on point sets that are satisfiable by construction: a random change
 * {@code Δ*} of a random hidden layer, and 1–4 inputs that the changed network decides differently from the original
 * (by at least 0.01) while every unit from that layer on keeps its sign (so {@code Δ*} is a witness of the LP with
 * the patterns held). Every such set must be repaired by changing that layer alone, and ONNX Runtime, executing the
 * written file, must classify every point as its label, strictly; no other layer may change.
 */
class HiddenLayerRepairProperties {

    @Test
    void everySatisfiablePointSetIsRepairedInThatLayer(@TempDir Path tmp) {
        int[] done = new int[1];
        qt().withFixedSeed(2026).withExamples(60).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int d = 2 + r.nextInt(4);
            int classes = 2 + r.nextInt(3);
            DenseNetwork net = relu(r, d, classes);
            int at = r.nextInt(net.layers().size() - 1);
            DenseNetwork star = perturbed(net, at, r);
            List<Target> targets = new ArrayList<>();
            for (int s = 0; s < 2000 && targets.size() < 1 + r.nextInt(4); s++) {
                float[] x = new float[d];
                for (int i = 0; i < d; i++) {
                    x[i] = r.nextFloat();
                }
                int label = witnessed(net, star, at, x);
                if (label >= 0) {
                    targets.add(new Target("p" + targets.size(), point(x), label));
                }
            }
            if (targets.isEmpty()) {
                return;
            }
            List<float[]> keep = new ArrayList<>();
            for (int s = 0; s < 100; s++) {
                float[] x = new float[d];
                for (int i = 0; i < d; i++) {
                    x[i] = r.nextFloat();
                }
                keep.add(x);
            }
            PointRepair.Result res = PointRepair.repairLayer(net, at, targets, keep, PointRepair.Options.defaults());
            assertTrue(res.ok(), "seed " + seed + ": satisfiable set not repaired in layer " + at + ": "
                    + res.problem());
            try {
                Path out = tmp.resolve("out" + seed + ".onnx");
                OnnxModel.fromDense(res.network(), "input", "output", false, null).write(out);
                DenseNetwork back = Models.load(out).dense();
                for (int q = 0; q < net.layers().size(); q++) {
                    if (q != at) {
                        for (int o = 0; o < net.layers().get(q).outputSize(); o++) {
                            assertArrayEquals(net.layers().get(q).weight()[o], back.layers().get(q).weight()[o]);
                        }
                        assertArrayEquals(net.layers().get(q).bias(), back.layers().get(q).bias());
                    }
                }
                for (Target t : targets) {
                    float[] y = PointRepairProperties.ort(out, t.input());
                    for (int j = 0; j < y.length; j++) {
                        assertTrue(j == t.label() || y[t.label()] > y[j], "seed " + seed + ": ONNX Runtime: "
                                + t.name() + " not classified as " + t.label() + ": " + Arrays.toString(y));
                    }
                }
                done[0]++;
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        });
        System.out.printf("earlier-layer repair: %d satisfiable point sets repaired and confirmed by ONNX Runtime%n",
                done[0]);
        assertTrue(done[0] >= 15, "too few satisfiable point sets generated: " + done[0]);
    }

    /**
     * The label {@code star} gives {@code x} when it differs from {@code net}'s, leads by at least 0.01, and every
     * unit from layer {@code at} on keeps its sign, clear of 0 by the repair's pattern margin; otherwise -1.
     */
    private static int witnessed(DenseNetwork net, DenseNetwork star, int at, float[] x) {
        float[] in = x;
        for (int q = 0; q < at; q++) {
            in = new DenseNetwork(List.of(net.layers().get(q))).evaluate(in);
        }
        double[][] z0 = HiddenLayerRepair.forward(net.layers(), at, KeepSet.toDouble(in));
        double[][] z1 = HiddenLayerRepair.forward(star.layers(), at, KeepSet.toDouble(in));
        for (int q = 0; q < z0.length - 1; q++) {
            for (int n = 0; n < z0[q].length; n++) {
                double m = Math.min(1e-3, Math.abs(z0[q][n]) / 2) + 1e-4;
                if ((z0[q][n] > 0) != (z1[q][n] > 0) || Math.abs(z1[q][n]) < m) {
                    return -1;
                }
            }
        }
        double[] y0 = z0[z0.length - 1];
        double[] y1 = z1[z1.length - 1];
        int label = PointRepair.argmax(y1);
        if (label == PointRepair.argmax(y0) || PointRepair.margin(y1, label) < 0.01) {
            return -1;
        }
        return label;
    }

    private static DenseNetwork perturbed(DenseNetwork net, int at, Random r) {
        DenseLayer l = net.layers().get(at);
        double[][] d = new double[l.outputSize()][l.inputSize() + 1];
        for (double[] row : d) {
            for (int i = 0; i < row.length; i++) {
                row[i] = 0.25 * r.nextGaussian() / Math.sqrt(l.inputSize());
            }
        }
        return HiddenLayerRepair.with(net, at, d);
    }

    private static Box point(float[] x) {
        double[] v = KeepSet.toDouble(x);
        return new Box(v, v.clone());
    }

    private static DenseNetwork relu(Random r, int in, int outs) {
        return RandomNets.relu(r, in, outs, 2, 2, 4, 10);
    }
}
