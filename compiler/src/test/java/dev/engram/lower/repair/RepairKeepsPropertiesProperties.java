package dev.engram.lower.repair;

import dev.engram.Decisions;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.compile.RuleReport;
import dev.engram.diag.Diagnostic;
import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.model.Models;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.verify.Box;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.MilpOracle;
import dev.engram.verify.Property;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * A repair keeps the program's other properties: on random ReLU networks (1–3 hidden layers) with a violated box rule
 * enforced by repair and random box properties that hold on the original (decided by an exact MILP), {@code
 * engram compile} either proves all of them on the written file, or names a conflict ({@code E062}) and writes
 * nothing. Every proof is re-checked by the independent MILP (OR-Tools SCIP) on the file as written.
 */
class RepairKeepsPropertiesProperties {
    static final int OUT = 3;

    /** "output {@code j} is above {@code c}": {@code -y_j <= -c}. */
    static List<List<LinearConstraint>> above(int j, double c) {
        double[] a = new double[OUT];
        a[j] = -1;
        return List.of(List.of(new LinearConstraint(a, -c)));
    }

    static Box subBox(Random r, int in, double minWidth) {
        double[] lo = new double[in];
        double[] hi = new double[in];
        for (int i = 0; i < in; i++) {
            double w = minWidth + r.nextDouble() * (2 - minWidth);
            lo[i] = -1 + r.nextDouble() * (2 - w);
            hi[i] = lo[i] + w;
        }
        return new Box(lo, hi);
    }

    @Test
    void repairedFilesKeepEveryPropertyThatHeld() throws Exception {
        Path dir = Files.createTempDirectory("repair-keeps");
        int[] counts = new int[4]; // tried, proved, conflicts named, kept properties proved
        qt().withFixedSeed(2026).withExamples(10).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int in = 2 + r.nextInt(2);
            int[] widths = new int[3 + r.nextInt(3)];
            Arrays.setAll(widths, l -> l == 0 ? in : l == widths.length - 1 ? OUT : 4 + r.nextInt(7));
            DenseNetwork net = DenseNetworks.random(r, "fc", 0.2, widths);
            Box rule = subBox(r, in, 0.3);
            // the decision at the box's centre is banned there: the rule is violated
            float[] mid = new float[in];
            for (int i = 0; i < in; i++) {
                mid[i] = (float) (0.5 * (rule.lo()[i] + rule.hi()[i]));
            }
            float[] ymid = net.evaluate(mid);
            int banned = 0;
            for (int j = 1; j < OUT; j++) {
                banned = ymid[j] > ymid[banned] ? j : banned;
            }
            double reach = MilpOracle.maxSlackOfUnion(net, rule, Decisions.argmax(banned, OUT), 30);
            if (!(reach >= 1e-4)) {
                return; // the rule already holds (or the oracle could not tell): nothing to repair
            }
            List<Obligation> obs = new ArrayList<>();
            obs.add(Obligation.repair("rule", Obligation.property("rule", rule, Decisions.argmax(banned, OUT))));
            List<Property> kept = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                Box b = subBox(r, in, 0.2);
                List<List<LinearConstraint>> unsafe = r.nextBoolean() ? Decisions.argmax(r.nextInt(OUT), OUT)
                        : above(r.nextInt(OUT), 0.1 + r.nextDouble());
                if (MilpOracle.maxSlackOfUnion(net, b, unsafe, 30) <= -1e-4) { // holds on the original
                    Property p = Obligation.property("keep" + k, b, unsafe);
                    kept.add(p);
                    obs.add(Obligation.check(p.name(), p));
                }
            }
            counts[0]++;
            Path model = dir.resolve("m" + counts[0] + ".onnx");
            Path out = dir.resolve("out" + counts[0] + ".onnx");
            OnnxModel.fromDense(net, "x", "y", true, Map.of()).write(model);
            Box domain = new Box(filled(in, -1), filled(in, 1));
            CompileResult res = Compiler.compile(CompileRequest.builder().setModel(model).setObligations(obs)
                    .optDomain(domain).optDecision(Decision.ARGMAX).optFidelitySamples(300).optTimeout(120)
                    .optSeed(seed).optOut(out).build());
            if (!res.proved()) {
                assertFalse(Files.exists(out), "seed " + seed + ": a file written though not proved");
                for (Diagnostic d : res.errors()) {
                    // never a kept property broken by the repair (E061): a conflict or no repair found (E062)
                    assertEquals("E062", d.code().id(), "seed " + seed + ": " + d);
                }
                counts[2] += res.errors().stream().anyMatch(d -> d.message().startsWith("'rule' and")) ? 1 : 0;
                res.errors().stream().filter(d -> d.message().startsWith("'rule' and"))
                        .forEach(d -> System.out.println("[repair-keeps] " + d.message()));
                return;
            }
            counts[1]++;
            for (RuleReport rr : res.rules()) {
                assertTrue(rr.proved(), "seed " + seed + ": " + rr.name() + " " + rr.verdict());
            }
            DenseNetwork written = Models.load(out).dense();
            double after = MilpOracle.maxSlackOfUnion(written, rule, Decisions.argmax(banned, OUT), 60);
            assertTrue(after < 1e-6, "seed " + seed + ": the MILP reaches the rule's unsafe set: " + after);
            for (Property p : kept) {
                double s = MilpOracle.maxSlackOfUnion(written, p.region().boxes().get(0), p.unsafe(), 60);
                assertTrue(s < 1e-6, "seed " + seed + ": " + p.name() + " broken on the written file: " + s);
                counts[3]++;
            }
        });
        System.out.printf("[repair-keeps] %d violated rules: %d proved with %d kept properties re-proved by MILP, "
                + "%d conflicts named%n", counts[0], counts[1], counts[3], counts[2]);
        // random properties can contradict the rule where their regions meet: not all are satisfiable
        assertTrue(counts[1] * 3 >= counts[0] && counts[1] > 0, "proved only " + counts[1] + " of " + counts[0]);
    }

    /**
     * A rule that contradicts a property on the region they share: no repair exists, and the compiler says which
     * two statements conflict, each at its source position, and writes nothing.
     */
    @Test
    void conflictsAreNamedAtTheirSourcePositions() throws Exception {
        Path dir = Files.createTempDirectory("repair-conflict");
        DenseNetwork base = DenseNetworks.random(new Random(3), "fc", 0.1, 2, 8, 8, OUT);
        DenseLayer last = base.layers().get(base.layers().size() - 1);
        float[] bias = last.bias().clone();
        bias[0] += 100; // c0 is the decision everywhere
        List<DenseLayer> layers = new ArrayList<>(base.layers().subList(0, base.layers().size() - 1));
        layers.add(DenseLayer.of(last.name(), last.weight(), bias, last.activation()));
        OnnxModel.fromDense(new DenseNetwork(layers), "x", "y", true, Map.of()).write(dir.resolve("m.onnx"));
        Path rules = dir.resolve("conflict.engram");
        Files.writeString(rules, String.join("\n",
                "model \"m.onnx\"",
                "input a at 0 in [-1, 1]",
                "input b at 1 in [-1, 1]",
                "output c0 at 0",
                "output c1 at 1",
                "output c2 at 2",
                "decide argmax",
                "property c0_in_corner:",
                "    over a in [0, 0.5] and b in [0, 0.5]",
                "    ensure c0 is the decision",
                "rule no_c0_right:",
                "    when a in [0, 1]",
                "    then c0 is not the decision",
                "    using repair",
                ""));
        Path out = dir.resolve("out.onnx");
        CompileResult res = Compiler.compile(CompileRequest.builder().optRules(rules).optFidelitySamples(200)
                .optTimeout(120).optOut(out).build());
        assertFalse(res.proved());
        assertFalse(Files.exists(out));
        List<Diagnostic> errs = res.errors();
        assertTrue(errs.size() >= 2, errs.toString());
        Diagnostic atProperty = errs.stream().filter(d -> d.span().start().line() == 8).findFirst().orElseThrow();
        Diagnostic atRule = errs.stream().filter(d -> d.span().start().line() == 11).findFirst().orElseThrow();
        assertEquals("E062", atProperty.code().id());
        assertEquals("E062", atRule.code().id());
        assertTrue(atProperty.message().contains("'no_c0_right' and 'c0_in_corner' cannot both hold"),
                atProperty.message());
        assertTrue(atProperty.message().contains("no output satisfies both"), atProperty.message());
        assertTrue(atRule.message().contains("c0_in_corner"), atRule.message());
        assertFalse(atProperty.hint().isEmpty());
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }
}
