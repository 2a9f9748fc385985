package dev.engram.lower;

import dev.engram.Decisions;
import dev.engram.SharedData;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.lower.repair.GoalValidation;
import dev.engram.lower.repair.OutputLayerRepair;
import dev.engram.lower.repair.RepairOptions;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.patch.Patch;
import dev.engram.source.Span;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import dev.engram.verify.graph.GraphVerifier;
import dev.engram.verify.bounds.Deadline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The repair on the dense head of a convolutional network ({@link HeadRepair}), checked by ONNX Runtime on the file as
 * written: a rule the original violates (the class decided at the region's centre must never be decided there) is
 * repaired with no unit added; on the region (sampled densely, corners included) the written model never decides
 * the forbidden class; the prefix keeps every node and stored bit; only the head's output layer changed, so a patch
 * of tensor edits is written and applying it to the original gives the written model's tensors.
 */
class HeadRepairTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aRepairOnTheDenseHeadHoldsOnTheRegionAndKeepsThePrefix(boolean hiddenLayer, @TempDir Path dir)
            throws Exception {
        Random rnd = new Random(hiddenLayer ? 31 : 32);
        Path model = dir.resolve("conv.onnx");
        Files.write(model, HeadGuardTest.convModel(rnd, hiddenLayer).toByteArray());
        int n = HeadGuardTest.IN;
        float[] centre = new float[n];
        for (int i = 0; i < n; i++) {
            centre[i] = (float) rnd.nextDouble();
        }
        byte[] before = Files.readAllBytes(model);
        int k = HeadGuardTest.argmax(HeadGuardTest.ort(before, new float[][] {centre}, "y")[0]);
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int i = 0; i < n; i++) {
            lo[i] = centre[i] - 0.01;
            hi[i] = centre[i] + 0.01;
        }
        Box region = new Box(lo, hi);
        Obligation.Enforce rule = Obligation.repair("never_k", Obligation.property("never_k", region,
                Decisions.argmax(k, GuardBitIdentityTest.OUT)));
        Path out = dir.resolve("repaired.onnx");
        Path patch = dir.resolve("repaired.epatch");
        CompileResult r = Compiler.compile(CompileRequest.builder().setModel(model).setObligations(List.of(rule))
                .optDomain(new Box(new double[n], HeadGuardTest.filled(1))).optDecision(Decision.ARGMAX)
                .optFidelitySamples(300).optTimeout(200).optOut(out).optPatch(patch).build());
        assertTrue(r.proved(), r.diagnostics() + " " + r.rules());
        assertEquals(0, r.rules().get(0).unitsAdded());

        // ONNX Runtime on the region: the forbidden class is never decided
        byte[] after = Files.readAllBytes(out);
        float[][] x = HeadGuardTest.samples(region, rnd, 600, true).toArray(new float[0][]);
        float[][] y = HeadGuardTest.ort(after, x, "y");
        for (int s = 0; s < x.length; s++) {
            assertTrue(HeadGuardTest.argmax(y[s]) != k, "class " + k + " decided inside the region at sample " + s);
        }
        // the prefix keeps its bits; only the output layer's tensors changed; the patch reproduces them
        OnnxModel o = (OnnxModel) Models.load(model);
        OnnxModel w = (OnnxModel) Models.load(out);
        for (String t : List.of("conv.w", "conv.b")) {
            assertEquals(o.rawInitializer(t), w.rawInitializer(t), t + " changed");
        }
        if (hiddenLayer) {
            for (String t : List.of("fc1.w", "fc1.b")) {
                assertArrayEquals(o.parameters().get(t).data(), w.parameters().get(t).data(), t + " changed");
            }
        }
        assertEquals(o.proto().getGraph().getNodeList(), w.proto().getGraph().getNodeList(), "the nodes changed");
        assertNotNull(r.patch(), "no patch: the repair only edits tensors");
        OnnxModel applied = (OnnxModel) Patch.read(patch).apply(o);
        for (String t : List.of("out.w", "out.b")) {
            assertArrayEquals(w.parameters().get(t).data(), applied.parameters().get(t).data(), t);
        }
    }

    /**
     * The repair's fidelity rows are the features of real inputs ({@link HeadRepair#points}): the drawn inputs and the
     * given ones (the domain's data, the kept properties' centres) run through the prefix, equal to ONNX Runtime's
     * value of the head's input on the same inputs; drawn ones weigh 1, given ones {@link HeadRepair#DATA_WEIGHT}.
     */
    @Test
    void theFidelityRowsAreTheFeaturesOfRealInputs() throws Exception {
        Random rnd = new Random(33);
        byte[] bytes = HeadGuardTest.convModel(rnd, false).toByteArray();
        HeadSplit split = loaded(bytes);
        int n = HeadGuardTest.IN;
        float[] given = new float[n];
        for (int i = 0; i < n; i++) {
            given[i] = (float) rnd.nextDouble();
        }
        Box box = new Box(new double[n], HeadGuardTest.filled(1));
        Box kept = new Box(HeadGuardTest.filled(0.2), HeadGuardTest.filled(0.4));
        Lowering.Context ctx = new Lowering.Context(SampleDomain.of(box).withData(List.of(given)), Decision.ARGMAX,
                java.util.Set.of(), 5, Deadline.after(60), List.of(new Obligation.Check("keep", Span.NONE,
                Obligation.property("keep", kept, Decisions.argmax(0, GuardBitIdentityTest.OUT)))));
        List<float[]> data = HeadRepair.realData(ctx, n);
        assertEquals(2, data.size(), "the given input and the kept property's centre");
        assertEquals(0.3f, data.get(1)[0], 1e-6f);
        List<RepairOptions.Point> points = HeadRepair.points(split, ctx, data);
        assertEquals(HeadRepair.SAMPLES + 2, points.size());
        float[][] x = new float[points.size()][];
        Random draw = new Random(ctx.seed());
        for (int s = 0; s < HeadRepair.SAMPLES; s++) {
            x[s] = ctx.domain().sample(draw);
            assertEquals(1, points.get(s).weight());
        }
        x[HeadRepair.SAMPLES] = data.get(0);
        x[HeadRepair.SAMPLES + 1] = data.get(1);
        assertEquals(HeadRepair.DATA_WEIGHT, points.get(HeadRepair.SAMPLES + 1).weight());
        int[] check = {0, 1, HeadRepair.SAMPLES - 1, HeadRepair.SAMPLES, HeadRepair.SAMPLES + 1};
        float[][] rows = java.util.Arrays.stream(check).mapToObj(s -> x[s]).toArray(float[][]::new);
        float[][] ort = HeadGuardTest.ort(bytes, rows, "h");
        for (int c = 0; c < check.length; c++) {
            float[] f = points.get(check[c]).x();
            assertEquals(ort[c].length, f.length);
            for (int i = 0; i < f.length; i++) {
                assertEquals(ort[c][i], f[i], 1e-5f * (1 + Math.abs(ort[c][i])), "feature " + i + " of row "
                        + check[c]);
            }
        }
    }

    /**
     * The head repair's validation ({@link HeadRepair#onWholeModel}) is the graph verifier on the whole model with the
     * candidate head in place, on the goal as stated over the model's inputs; checked by ONNX Runtime on the model
     * with that head written in. A candidate that raises one class's bias by 1,000 decides that class everywhere: the
     * statement "class k is never decided" (which the original violates at the centre) holds with the candidate, and
     * "that class is never decided" (which the original keeps) gets a counterexample whose features are ONNX Runtime's
     * head input there, at which ONNX Runtime on the candidate model decides that class and on the original does not.
     */
    @Test
    void candidatesAreValidatedOnTheWholeModel() throws Exception {
        Random rnd = new Random(34);
        byte[] bytes = HeadGuardTest.convModel(rnd, true).toByteArray();
        HeadSplit split = loaded(bytes);
        int n = HeadGuardTest.IN;
        float[] centre = draw(rnd);
        int k = HeadGuardTest.argmax(HeadGuardTest.ort(bytes, new float[][] {centre}, "y")[0]);
        int other = (k + 1) % GuardBitIdentityTest.OUT;
        Box box = around(centre, 0.01);
        Property neverK = Obligation.property("never_k", box, Decisions.argmax(k, GuardBitIdentityTest.OUT));
        Property neverOther = Obligation.property("never_other", box, Decisions.argmax(other,
                GuardBitIdentityTest.OUT));
        Box features = split.enclosure(box, Deadline.after(60));
        Property kOnFeatures = new Property("never_k", InputRegion.of(features), neverK.unsafe());
        Property otherOnFeatures = new Property("never_other", InputRegion.of(features), neverOther.unsafe());
        Map<Property, Property> stated = new IdentityHashMap<>();
        stated.put(kOnFeatures, neverK);
        stated.put(otherOnFeatures, neverOther);
        GoalValidation validation = HeadRepair.onWholeModel(split, stated);

        DenseNetwork head = split.head();
        DenseLayer out = head.layers().get(head.layers().size() - 1);
        float[] bias = out.bias().clone();
        bias[other] += 1000;
        List<DenseLayer> layers = new java.util.ArrayList<>(head.layers());
        layers.set(layers.size() - 1, new DenseLayer(out.name(), out.weight(), bias, out.activation(),
                out.alpha(), out.weightRef(), out.biasRef()));
        DenseNetwork candidate = new DenseNetwork(layers);
        byte[] candidateBytes = split.model().withHead(candidate).toBytes();

        GoalValidation.Outcome held = validation.validate(candidate, kOnFeatures, 60);
        assertInstanceOf(Verdict.Unsat.class, held.verdict(), held.verdict().toString());
        assertSame(neverK, held.property(), "validated as stated over the model's inputs");
        assertNull(held.at());

        GoalValidation.Outcome broken = validation.validate(candidate, otherOnFeatures, 60);
        Verdict.Sat sat = assertInstanceOf(Verdict.Sat.class, broken.verdict(), broken.verdict().toString());
        assertSame(neverOther, broken.property());
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) sat.input()[i];
            assertTrue(x[i] >= box.lo()[i] && x[i] <= box.hi()[i], "the witness lies in the box over the model's"
                    + " inputs");
        }
        float[] h = HeadGuardTest.ort(bytes, new float[][] {x}, "h")[0];
        assertEquals(h.length, broken.at().length, "the witness's features are the head's input");
        for (int i = 0; i < h.length; i++) {
            assertEquals(h[i], broken.at()[i], 1e-5 * (1 + Math.abs(h[i])), "feature " + i);
        }
        assertEquals(other, HeadGuardTest.argmax(HeadGuardTest.ort(candidateBytes, new float[][] {x}, "y")[0]));
        int before = HeadGuardTest.argmax(HeadGuardTest.ort(bytes, new float[][] {x}, "y")[0]);
        assertEquals(before == other, broken.violatedBefore(), "violated before: the original decides " + before);
    }

    /**
     * A rule repaired on the head while a property is kept: the repair validates every goal on the whole model (each
     * validated property is stated over the model's inputs), and on the model with the repaired head written and read
     * back, ONNX Runtime never decides the forbidden class in the rule's region (corners included) and decides the
     * kept property's class on its box; the graph verifier proves both on the file read back.
     */
    @Test
    void aRepairKeepingAPropertyIsValidatedOnTheWholeModel(@TempDir Path dir) throws Exception {
        Random rnd = new Random(35);
        byte[] bytes = HeadGuardTest.convModel(rnd, true).toByteArray();
        Path file = dir.resolve("conv.onnx");
        Files.write(file, bytes);
        HeadSplit split = HeadSplit.of(Models.load(file));
        int n = HeadGuardTest.IN;
        float[] c1 = draw(rnd);
        int k = HeadGuardTest.argmax(HeadGuardTest.ort(bytes, new float[][] {c1}, "y")[0]);
        // the kept box: around an input decided as another class by a clear lead (the first of fixed draws)
        float[] c2 = null;
        int label = -1;
        for (int t = 0; t < 200 && c2 == null; t++) {
            float[] c = draw(rnd);
            float[] y = HeadGuardTest.ort(bytes, new float[][] {c}, "y")[0];
            int l = HeadGuardTest.argmax(y);
            double lead = Double.POSITIVE_INFINITY;
            for (int j = 0; j < y.length; j++) {
                lead = j == l ? lead : Math.min(lead, y[l] - y[j]);
            }
            if (l != k && lead > 0.2) {
                c2 = c;
                label = l;
            }
        }
        assertNotNull(c2, "no input decided as another class than " + k + " by a lead of 0.2");
        Box region = around(c1, 0.01);
        Box keptBox = around(c2, 0.002);
        Obligation.Enforce rule = Obligation.repair("never_k", Obligation.property("never_k", region,
                Decisions.argmax(k, GuardBitIdentityTest.OUT)));
        List<List<LinearConstraint>> notLabel = new java.util.ArrayList<>();
        for (int j = 0; j < GuardBitIdentityTest.OUT; j++) {
            if (j != label) {
                double[] a = new double[GuardBitIdentityTest.OUT];
                a[label] = 1;
                a[j] = -1;
                notLabel.add(List.of(new LinearConstraint(a, 0))); // y_j >= y_label: the label is not decided
            }
        }
        Obligation.Check keep = new Obligation.Check("keep", Span.NONE, Obligation.property("keep", keptBox,
                notLabel));
        Lowering.Context ctx = new Lowering.Context(SampleDomain.of(new Box(new double[n], HeadGuardTest.filled(1))),
                Decision.ARGMAX, java.util.Set.of(), 7, Deadline.after(200), List.of(rule, keep));
        Lowering.Result r = HeadRepair.lower(split, split.head(), List.of(rule), ctx, List.of(""));
        assertTrue(r.failures().isEmpty(), r.failures().toString());
        RepairLowering.Detail d = (RepairLowering.Detail) r.steps().get(0).detail();
        assertEquals(2, d.repair().validations().size(), "the rule and the kept property");
        for (OutputLayerRepair.Validation v : d.repair().validations()) {
            assertInstanceOf(Verdict.Unsat.class, v.verdict(), v.property().name() + ": " + v.verdict());
            assertEquals(n, v.property().region().boxes().get(0).dimension(), "validated over the model's inputs");
        }

        Path out = dir.resolve("repaired.onnx");
        split.model().withHead(r.network()).write(out);
        byte[] after = Files.readAllBytes(out);
        float[][] x = HeadGuardTest.samples(region, rnd, 400, true).toArray(new float[0][]);
        for (float[] y : HeadGuardTest.ort(after, x, "y")) {
            assertTrue(HeadGuardTest.argmax(y) != k, "class " + k + " decided inside the rule's region");
        }
        float[][] xk = HeadGuardTest.samples(keptBox, rnd, 400, true).toArray(new float[0][]);
        for (float[] y : HeadGuardTest.ort(after, xk, "y")) {
            assertEquals(label, HeadGuardTest.argmax(y), "the kept box's decision changed");
        }
        var dag = Models.load(out).dag();
        for (Obligation ob : List.of(rule, keep)) {
            Property p = ob instanceof Obligation.Enforce e ? e.property() : ((Obligation.Check) ob).property();
            Verdict v = GraphVerifier.verifyAny(dag, List.of(p), VerifyOptions.defaults().withTimeout(120));
            assertInstanceOf(Verdict.Unsat.class, v, ob.name() + " on the file read back: " + v);
        }
    }

    /** An input of the test models, uniform in [0, 1). */
    private static float[] draw(Random rnd) {
        float[] x = new float[HeadGuardTest.IN];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextDouble();
        }
        return x;
    }

    private static Box around(float[] c, double eps) {
        double[] lo = new double[c.length];
        double[] hi = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            lo[i] = c[i] - eps;
            hi[i] = c[i] + eps;
        }
        return new Box(lo, hi);
    }

    /**
     * VNN-COMP's {@code Convnet_maxpool} on {@code prop_14_0.004} (violated: VNN-COMP expects sat): repaired, proved
     * on the whole graph as written, and ONNX Runtime decides label 8 on samples of the ε-ball (corners included).
     */
    @Test
    void repairsAVerivitalSpecificationOnTheHead(@TempDir Path dir) throws Exception {
        Path v = SharedData.path().resolve("vnncomp2021/verivital");
        Path model = v.resolve("Convnet_maxpool.onnx");
        Path spec = v.resolve("specs/maxpool_specs/prop_14_0.004.vnnlib");
        assumeTrue(Files.isRegularFile(model) && Files.isRegularFile(spec), "verivital not found under "
                + v.toAbsolutePath() + " (set -Dengram.shared.data)");
        Path out = dir.resolve("repaired.onnx");
        CompileResult r = Compiler.compile(CompileRequest.builder().setModel(model).addEnforce(spec)
                .optStrategy(Obligation.Strategy.REPAIR).optDecision(Decision.ARGMAX).optFidelitySamples(500)
                .optTimeout(280).optOut(out).build());
        assertTrue(r.proved(), r.diagnostics() + " " + r.rules());
        Box box = ((Obligation.Enforce) r.ir().obligations().get(0)).box();
        float[][] x = HeadGuardTest.samples(box, new Random(3), 300, true).toArray(new float[0][]);
        byte[] after = Files.readAllBytes(out);
        for (float[] xi : x) {
            float[] y = dev.engram.GraphRulesVerifyTest.ort(after, xi);
            for (int j = 0; j < y.length; j++) {
                assertTrue(j == 8 || y[j] < y[8], "label 8 not decided strictly at a sample of the ball: " + y[j]
                        + " >= " + y[8]);
            }
        }
    }

    /** The head split of the model {@code bytes}, written to a temporary file and loaded as a user's model is. */
    private static HeadSplit loaded(byte[] bytes) throws Exception {
        Path file = Files.createTempFile("conv", ".onnx");
        Files.write(file, bytes);
        return HeadSplit.of(Models.load(file));
    }
}
