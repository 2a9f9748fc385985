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
        assertTrue(d.message().contains("convolutional part") && d.message().contains("layers 2 (Flatten flat) to 3"),
                d.message());
        assertFalse(Files.exists(dir.resolve("conv.onnx")));
        // a rule over the inputs is guarded in the dense head, but not in the same compilation as a concept edit
        CompileResult mixed = compile("input p0 at 0 in [0, 1]\nrule r: when p0 > 0.5 then left is not the decision\n"
                + "rule no_left: when horizontal then left is not the decision\n", "mixed.onnx");
        assertEquals(Outcome.NOT_PROVED, mixed.outcome(), mixed.diagnostics().toString());
        Diagnostic m = mixed.errors().get(0);
        assertEquals(DiagnosticCode.E062, m.code(), mixed.errors().toString());
        assertEquals(9, m.span().start().line(), m.toString());
        assertTrue(m.message().contains("one after the other"), m.message());
        assertFalse(Files.exists(dir.resolve("mixed.onnx")));
    }

    static int argmax(float[] v) {
        int b = 0;
        for (int k = 1; k < v.length; k++) {
            b = v[k] > v[b] ? k : b;
        }
        return b;
    }
}
