package dev.engram.lower;

import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.compile.Outcome;
import dev.engram.compile.RuleReport;
import dev.engram.data.ArrayData;
import dev.engram.data.Dataset;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.dict.ConceptFixtures;
import dev.engram.ir.ConceptPolicy;
import dev.engram.model.FloatTensor;
import dev.engram.model.LoadedModel;
import dev.engram.model.Models;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.source.SourceFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Concept rules on a small CNN: the rule edits a dense layer after the flatten (the convolutions keep their bits),
 * and its efficacy and locality, re-measured here by running the whole written graph in the graph executor on the test
 * images, meet the targets; a rule at a convolutional layer fails at its statement, naming the editable layers.
 */
class CnnConceptTest {
    @TempDir
    static Path dir;
    static ConceptFixtures fx;

    @BeforeAll
    static void material() {
        fx = ConceptFixtures.createCnn(dir);
    }

    static CompileResult compile(String body, String out) {
        String rules = fx.declarations()
                + "concept horizontal from \"" + fx.trainRef() + "\" column \"label in {0, 1}\"\n" + body;
        return Compiler.compile(CompileRequest.builder().optRules(new SourceFile("c.engram", rules), dir)
                .optOut(dir.resolve(out)).optConcepts(ConceptPolicy.defaults()).build());
    }

    @Test
    void aRuleEditsADenseLayerAndHoldsOnTheWrittenGraph() {
        CompileResult r = compile("rule no_left: when horizontal then left is not the decision margin 8\n", "cnn.onnx");
        assertEquals(Outcome.OK, r.outcome(), r.diagnostics() + " " + r.rules());
        RuleReport rr = r.rules().get(0);
        System.out.println("cnn concept rule: " + rr.method());
        LoadedModel before = Models.load(fx.model());
        LoadedModel after = Models.load(dir.resolve("cnn.onnx"));
        int changed = 0;
        for (Map.Entry<String, FloatTensor> e : before.parameters().entrySet()) {
            boolean same = Arrays.equals(e.getValue().data(), after.parameters().get(e.getKey()).data());
            assertTrue(same || e.getKey().startsWith("dense") && e.getKey().endsWith(".weight"),
                    e.getKey() + " keeps its values");
            changed += same ? 0 : 1;
        }
        assertEquals(1, changed, "one dense weight edited");
        // independent of the tail arithmetic: the whole written graph on the test images
        Dataset test = ArrayData.load(fx.test(), ConceptFixtures.CLASSES);
        float[][] y0 = new GraphExecutor(before.dag()).run(test.x());
        float[][] y1 = new GraphExecutor(after.dag()).run(test.x());
        int pos = 0;
        int met = 0;
        int neg = 0;
        int kept = 0;
        for (int i = 0; i < test.rows(); i++) {
            int d0 = argmax(y0[i]);
            int d1 = argmax(y1[i]);
            if (test.y()[i] <= 1) {
                pos++;
                met += d1 != 2 ? 1 : 0;
            } else {
                neg++;
                kept += d0 == d1 ? 1 : 0;
            }
        }
        System.out.printf("cnn concept rule on the written graph: efficacy %d/%d, locality %d/%d%n", met, pos, kept,
                neg);
        assertEquals(pos, met, "no horizontal test image is decided as left");
        assertTrue(kept >= 0.99 * neg, "locality " + kept + "/" + neg);
    }

    @Test
    void aRuleAtAConvolutionalLayerFailsAtItsStatement() {
        CompileResult r = compile("erase horizontal at layer 1\n", "conv.onnx");
        assertEquals(Outcome.REJECTED, r.outcome(), r.diagnostics().toString());
        Diagnostic d = r.errors().get(0);
        assertEquals(DiagnosticCode.E062, d.code());
        assertEquals(8, d.span().start().line(), d.toString());
        assertTrue(d.message().contains("convolutional part") && d.message().contains("layers 2 (Relu conv1.relu) to 3"),
                d.message());
        assertFalse(Files.exists(dir.resolve("conv.onnx")));
    }

    /**
     * A concept rule and a rule over the inputs in one compilation: the concept edit on the dense tail, then the
     * guard on the dense head of the edited model. The input rule: around one "left" test image (every pixel within
     * 0.02), "left" is not the decision. ONNX Runtime on the written file: "left" is never decided on samples of that
     * box (corners included); through the whole written graph no horizontal test image is decided as "left".
     */
    @Test
    void aConceptRuleAndAnInputRuleCompileTogether() throws Exception {
        Dataset test = ArrayData.load(fx.test(), ConceptFixtures.CLASSES);
        float[][] y0 = new GraphExecutor(Models.load(fx.model()).dag()).run(test.x());
        int img = 0;
        while (test.y()[img] != 2 || argmax(y0[img]) != 2) {
            img++;
        }
        float[] c = test.x()[img];
        StringBuilder rule = new StringBuilder();
        StringBuilder when = new StringBuilder();
        float[] lo = new float[c.length];
        float[] hi = new float[c.length];
        for (int i = 0; i < c.length; i++) {
            String l = String.format(java.util.Locale.ROOT, "%.4f", Math.max(0, c[i] - 0.02));
            String h = String.format(java.util.Locale.ROOT, "%.4f", Math.min(1, c[i] + 0.02));
            lo[i] = Math.nextUp(Float.parseFloat(l));
            hi[i] = Math.nextDown(Float.parseFloat(h));
            rule.append("input p").append(i).append(" at ").append(i).append(" in [0, 1]\n");
            when.append(i == 0 ? "" : " and ").append("p").append(i).append(" in [").append(l).append(", ").append(h)
                    .append("]");
        }
        rule.append("rule r: when ").append(when).append(" then left is not the decision\n");
        CompileResult mixed = compile(rule + "rule no_left: when horizontal then left is not the decision margin 8\n",
                "mixed.onnx");
        assertEquals(Outcome.OK, mixed.outcome(), mixed.diagnostics() + " " + mixed.rules());
        assertEquals(2, mixed.rules().size(), mixed.rules().toString());
        Path out = dir.resolve("mixed.onnx");
        byte[] bytes = Files.readAllBytes(out);
        java.util.Random rnd = new java.util.Random(4);
        for (int s = 0; s < 300; s++) {
            float[] x = new float[c.length];
            for (int i = 0; i < c.length; i++) {
                x[i] = s % 3 == 0 ? (rnd.nextBoolean() ? lo[i] : hi[i]) : lo[i] + (hi[i] - lo[i]) * rnd.nextFloat();
                x[i] = Math.max(lo[i], Math.min(hi[i], x[i]));
            }
            assertTrue(argmax(dev.engram.GraphRulesVerifyTest.ort(bytes, x)) != 2, "left decided in the box");
        }
        float[][] y1 = new GraphExecutor(Models.load(out).dag()).run(test.x());
        for (int i = 0; i < test.rows(); i++) {
            if (test.y()[i] <= 1) {
                assertTrue(argmax(y1[i]) != 2, "horizontal test image " + i + " decided as left");
            }
        }
    }

    static int argmax(float[] v) {
        int b = 0;
        for (int k = 1; k < v.length; k++) {
            b = v[k] > v[b] ? k : b;
        }
        return b;
    }
}
