package dev.engram.compile;

import dev.engram.Decisions;
import dev.engram.ir.Decision;
import dev.engram.ir.SampleDomain;

import dev.engram.ir.Obligation;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.model.Models;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.patch.Patch;
import dev.engram.verify.Box;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Programmatic constraint injection: the IR built with the Java API (no rule text) goes through the same pipeline
 * — a guard rule, an invariance, an output shift and a checked property on one model — and every obligation is
 * established on the written file.
 */
class JavaApiTest {

    static DenseNetwork mlp(long seed, int in, int hidden, int out) {
        return DenseNetworks.random(new Random(seed), "fc", 0.1, in, hidden, hidden, out);
    }

    @Test
    void obligationsBuiltInJavaAreLoweredAndProved() throws Exception {
        Path dir = Files.createTempDirectory("javaapi");
        Path model = dir.resolve("m.onnx");
        DenseNetwork original = mlp(4, 4, 12, 3);
        OnnxModel.fromDense(original, "x", "y", true, Map.of()).write(model);
        Box domain = new Box(new double[] {-1, -1, 0, 0}, new double[] {1, 1, 1, 1});
        Box region = new Box(new double[] {0.2, -0.5, 0, 0}, new double[] {0.6, 0.1, 1, 1});
        Property rule = Obligation.property("class0_never_in_corner", region, Decisions.argmax(0, 3));
        double[] shift = {0, 0.25, 0};
        List<Obligation> obs = List.of(
                Obligation.guard("class0_never_in_corner", rule, 0.02),
                Obligation.ignore("ignore_x3", new int[] {3}, new double[] {0.5}),
                Obligation.shiftOutputs("favour_class1", original.layers().size(), shift),
                Obligation.check("still_never_in_corner", rule));
        Path out = dir.resolve("patched.onnx");
        Path patch = dir.resolve("p.epatch");
        CompileResult r = Compiler.compile(CompileRequest.builder().setModel(model).setObligations(obs)
                .optDomain(new SampleDomain(domain, List.of())).optDecision(Decision.ARGMAX)
                .optOut(out).optPatch(patch).optFidelitySamples(1000).optTimeout(30).build());
        for (RuleReport rr : r.rules()) {
            assertTrue(rr.proved(), rr.name() + ": " + rr.verdict());
        }
        assertTrue(r.proved());
        assertEquals(List.of("rule", "ignore", "steer", "property"), r.rules().stream().map(RuleReport::kind).toList());
        assertTrue(r.rules().get(0).unitsAdded() > 0);
        long ignoreChanged = r.rules().get(1).changes().parametersChanged();
        assertTrue(ignoreChanged >= 12 && ignoreChanged <= 24, "ignore touches one column and the biases: " + ignoreChanged);

        DenseNetwork written = Models.load(out).dense();
        // invariance: the written model ignores x3 exactly
        Random rnd = new Random(1);
        for (int k = 0; k < 500; k++) {
            float[] x = {(float) (2 * rnd.nextDouble() - 1), (float) (2 * rnd.nextDouble() - 1), (float) rnd.nextDouble(),
                    (float) rnd.nextDouble()};
            float[] x2 = x.clone();
            x2[3] = (float) rnd.nextDouble();
            assertArrayEquals(written.evaluate(x), written.evaluate(x2));
        }
        // the patch reverts to the original parameters bit for bit
        var reverted = Patch.read(patch).revert(Models.load(out));
        var base = Models.load(model);
        for (String n : base.parameters().keySet()) {
            assertTrue(base.parameters().get(n).bitEquals(reverted.parameters().get(n)), n);
        }
    }

    @Test
    void rulesLeftToTheCompilerAreGuardedWhereTheNetworkAllowsAndRepairedElsewhere() throws Exception {
        Path dir = Files.createTempDirectory("javaapi-auto");
        Box domain = new Box(new double[] {-1, -1}, new double[] {1, 1});
        Box region = new Box(new double[] {0.2, -0.5}, new double[] {0.6, 0.1});
        Property rule = Obligation.property("class0_never_in_corner", region, Decisions.argmax(0, 3));
        Obligation.Enforce auto = Obligation.guard("class0_never_in_corner", rule, 0.02)
                .with(Obligation.Strategy.AUTO);
        // one hidden ReLU layer: the guard, after an identity layer inserted exactly
        DenseNetwork shallow = DenseNetworks.random(new Random(7), "fc", 0.1, 2, 12, 3);
        CompileResult r = compileOn(dir.resolve("shallow.onnx"), shallow, auto, domain);
        assertTrue(r.proved(), r.diagnostics() + " " + r.rules());
        assertEquals("guard", r.rules().get(0).strategy(), r.rules().get(0).choice());
        assertTrue(r.rules().get(0).unitsAdded() > 12, "the identity layer's 12 units count: " + r.rules().get(0));
        DenseNetwork written = Models.load(r.proof().validatedFile().getParent().resolve("out.onnx")).dense();
        assertEquals(3, written.layers().size());
        // leaky ReLU: no guard, so the repair
        DenseNetwork leaky = withActivation(DenseNetworks.random(new Random(7), "fc", 0.1, 2, 12, 12, 3),
                Activation.LEAKY_RELU);
        r = compileOn(dir.resolve("leaky.onnx"), leaky, auto, domain);
        assertTrue(r.proved(), r.diagnostics() + " " + r.rules());
        assertEquals("repair", r.rules().get(0).strategy());
        assertTrue(r.rules().get(0).choice().startsWith("repair, because the guard cannot be used: the guard needs "
                + "ReLU hidden layers"), r.rules().get(0).choice());
        // sigmoid: neither, and the error says why for both
        DenseNetwork sigmoid = withActivation(DenseNetworks.random(new Random(7), "fc", 0.1, 2, 12, 12, 3),
                Activation.SIGMOID);
        r = compileOn(dir.resolve("sigmoid.onnx"), sigmoid, auto, domain);
        assertEquals(dev.engram.compile.Outcome.NOT_PROVED, r.outcome());
        String e062 = r.errors().get(0).message();
        assertTrue(r.errors().get(0).code().id().equals("E062") && e062.contains("guard: ") && e062.contains("repair: "),
                e062);
    }

    private static CompileResult compileOn(Path model, DenseNetwork net, Obligation ob, Box domain) {
        OnnxModel.fromDense(net, "x", "y", true, Map.of()).write(model);
        return Compiler.compile(CompileRequest.builder().setModel(model).setObligations(List.of(ob)).optDomain(domain)
                .optDecision(Decision.ARGMAX).optFidelitySamples(500).optTimeout(30)
                .optOut(model.resolveSibling("out.onnx")).build());
    }

    private static DenseNetwork withActivation(DenseNetwork net, Activation act) {
        List<DenseLayer> ls = new ArrayList<>();
        int last = net.layers().size() - 1;
        for (int l = 0; l <= last; l++) {
            DenseLayer d = net.layers().get(l);
            ls.add(l == last ? d : new DenseLayer(d.name(), d.weight(), d.bias(), act, 0.1, d.weightRef(), d.biasRef()));
        }
        return new DenseNetwork(ls);
    }
}
