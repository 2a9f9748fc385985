package dev.engram.compile;

import dev.engram.Decisions;
import dev.engram.Engram;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.model.Models;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.verify.Box;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.MilpOracle;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * What a user gets from {@code engram compile --enforce P.vnnlib} with the default strategy: on random ReLU networks
 * with 1–4 hidden layers and a random box property that the network violates (decided by an exact MILP, OR-Tools
 * SCIP), the compile proves every one of them (each is satisfiable: "output k is never the arg-max" over a box, with
 * three outputs), the written file is re-checked by the same independent MILP, and outside the property's region
 * the guard leaves every decision as it was while the repair reports its fidelity.
 *
 * <p>The seed and the number of cases can be changed for longer runs ({@code -Dengram.test.seed},
 * {@code -Dengram.test.examples}); the suite runs a fixed seed.
 */
class DefaultStrategyProperties {
    static final int OUT = 3;

    @Test
    void everyViolatedSatisfiablePropertyIsProvedWithTheDefaultStrategy() throws Exception {
        run(Obligation.Strategy.AUTO);
    }

    /** The same cases forced to the repair: the output layer can always push the banned output down over a box. */
    @Test
    void everyViolatedSatisfiablePropertyIsProvedByTheRepair() throws Exception {
        run(Obligation.Strategy.REPAIR);
    }

    private static void run(Obligation.Strategy strategy) throws Exception {
        Path dir = Files.createTempDirectory("default-strategy");
        int[] counts = new int[5]; // cases, proved, guard, repair, holding already (skipped)
        List<Double> fidelity = new ArrayList<>();
        qt().withFixedSeed(Long.getLong("engram.test.seed", 2026))
                .withExamples(Integer.getInteger("engram.test.examples", 16)).withShrinkCycles(0)
                .forAll(longs().all()).checkAssert(seed -> {
                    try {
                        oneCase(seed, strategy, dir, counts, fidelity);
                    } catch (Exception e) {
                        throw new AssertionError("seed " + seed, e);
                    }
                });
        System.out.printf(Locale.ROOT, "[%s] %d violated properties: %d proved (guard %d, repair %d), %d cases "
                        + "already held; repair fidelity outside the region (%%) %s%n", strategy, counts[0],
                counts[1], counts[2], counts[3], counts[4], fidelity);
        assertEquals(counts[0], counts[1], "every violated property is satisfiable here and must be proved");
        assertTrue(counts[0] >= 8, "too few violated cases to mean anything: " + counts[0]);
    }

    private static void oneCase(long seed, Obligation.Strategy strategy, Path dir, int[] counts, List<Double> fidelity) throws Exception {
        Random r = new Random(seed);
        int in = 2 + r.nextInt(2);
        int hidden = 1 + r.nextInt(4);
        int[] widths = new int[hidden + 2];
        Arrays.setAll(widths, l -> l == 0 ? in : l == widths.length - 1 ? OUT : 3 + r.nextInt(6));
        DenseNetwork net = DenseNetworks.random(r, "fc", 0.2, widths);
        Box box = subBox(r, in);
        int banned = argmaxAt(net, box);
        List<List<LinearConstraint>> unsafe = List.of(Decisions.isArgmax(banned, OUT));
        double reach = MilpOracle.maxSlackOfUnion(net, box, unsafe, 30);
        if (!(reach >= 1e-4)) {
            counts[4]++;
            return;
        }
        counts[0]++;
        String tag = "c" + counts[0];
        Path model = dir.resolve(tag + ".onnx");
        Path prop = dir.resolve(tag + ".vnnlib");
        Path out = dir.resolve(tag + "-out.onnx");
        OnnxModel.fromDense(net, "x", "y", true, Map.of()).write(model);
        Files.writeString(prop, vnnlib(box, banned));
        Box domain = new Box(filled(in, -1.5), filled(in, 1.5));
        CompileResult res = Engram.compile(CompileRequest.builder().setModel(model).addEnforce(prop)
                .optStrategy(strategy).optDomain(domain).optFidelitySamples(500).optTimeout(120).optSeed(seed)
                .optOut(out).build());
        String what = String.format(Locale.ROOT, "%s, seed %d, widths %s, box %s, banned %d: %s %s", strategy, seed,
                Arrays.toString(widths), box, banned, res.outcome(), res.diagnostics());
        assertTrue(res.proved(), what);
        counts[1]++;
        RuleReport rule = res.rules().get(0);
        if (strategy == Obligation.Strategy.AUTO) {
            assertFalse(rule.choice().isEmpty(), "the default strategy says why it chose: " + what);
        }
        DenseNetwork written = Models.load(out).dense();
        double after = MilpOracle.maxSlackOfUnion(written, box, unsafe, 60);
        assertTrue(after < 1e-6, "the MILP reaches the unsafe set on the written file (" + after + "): " + what);
        if (rule.strategy().equals("guard")) {
            counts[2]++;
            Box dilated = dilate(box, Obligation.DEFAULT_DILATION);
            assertEquals(0, changedDecisionsOutside(net, written, domain, dilated, r), "guard outside: " + what);
        } else {
            counts[3]++;
            assertTrue(res.outside().measured(), "the repair reports its fidelity: " + what);
            fidelity.add(Math.round(res.outside().decisionAgreement() * 10000) / 100.0);
        }
    }

    /** Decisions that differ between the two networks at 2,000 points of {@code domain} outside {@code region}. */
    static int changedDecisionsOutside(DenseNetwork a, DenseNetwork b, Box domain, Box region, Random r) {
        int changed = 0;
        int n = domain.dimension();
        for (int k = 0, tried = 0; k < 2000 && tried < 100_000; tried++) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (domain.lo()[i] + r.nextDouble() * (domain.hi()[i] - domain.lo()[i]));
            }
            if (inside(region, x)) {
                continue;
            }
            k++;
            changed += argmax(a.evaluate(x)) != argmax(b.evaluate(x)) ? 1 : 0;
        }
        return changed;
    }

    static boolean inside(Box box, float[] x) {
        for (int i = 0; i < x.length; i++) {
            if (x[i] < box.lo()[i] || x[i] > box.hi()[i]) {
                return false;
            }
        }
        return true;
    }

    /** The box widened by {@code fraction} of its width on each side. */
    static Box dilate(Box box, double fraction) {
        double[] lo = box.lo().clone();
        double[] hi = box.hi().clone();
        for (int i = 0; i < lo.length; i++) {
            double w = hi[i] - lo[i];
            lo[i] -= fraction * w;
            hi[i] += fraction * w;
        }
        return new Box(lo, hi);
    }

    /** A random box inside [-1, 1]^n, its corners multiples of 1/1024 (exact in the VNN-LIB text). */
    static Box subBox(Random r, int in) {
        double[] lo = new double[in];
        double[] hi = new double[in];
        for (int i = 0; i < in; i++) {
            double w = 0.2 + 0.8 * r.nextDouble();
            lo[i] = Math.rint((-1 + r.nextDouble() * (2 - w)) * 1024) / 1024;
            hi[i] = Math.rint((lo[i] + w) * 1024) / 1024;
        }
        return new Box(lo, hi);
    }

    /** The decision at the box's centre: banning it there makes the property violated. */
    static int argmaxAt(DenseNetwork net, Box box) {
        float[] mid = new float[box.dimension()];
        for (int i = 0; i < mid.length; i++) {
            mid[i] = (float) (0.5 * (box.lo()[i] + box.hi()[i]));
        }
        return argmax(net.evaluate(mid));
    }

    static int argmax(float[] y) {
        int k = 0;
        for (int j = 1; j < y.length; j++) {
            k = y[j] > y[k] ? j : k;
        }
        return k;
    }

    /** The VNN-LIB text: the box, and the unsafe set "Y_k is the arg-max". */
    static String vnnlib(Box box, int k) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < box.dimension(); i++) {
            sb.append("(declare-const X_").append(i).append(" Real)\n");
        }
        for (int j = 0; j < OUT; j++) {
            sb.append("(declare-const Y_").append(j).append(" Real)\n");
        }
        for (int i = 0; i < box.dimension(); i++) {
            sb.append(String.format(Locale.ROOT, "(assert (>= X_%d %.9f))\n(assert (<= X_%d %.9f))\n", i,
                    box.lo()[i], i, box.hi()[i]));
        }
        for (int j = 0; j < OUT; j++) {
            if (j != k) {
                sb.append(String.format(Locale.ROOT, "(assert (>= Y_%d Y_%d))\n", k, j));
            }
        }
        return sb.toString();
    }

    static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }
}
