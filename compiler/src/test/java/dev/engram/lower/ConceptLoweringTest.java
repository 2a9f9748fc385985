package dev.engram.lower;

import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.compile.Outcome;
import dev.engram.compile.RuleReport;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.dict.ConceptFixtures;
import dev.engram.dict.ConceptSpec;
import dev.engram.dict.DataLayout;
import dev.engram.dict.Learner;
import dev.engram.dict.NcdFile;
import dev.engram.ir.ConceptPolicy;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.source.SourceFile;
import dev.engram.source.Span;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Statements over learned concepts compiled end to end on generated images: a rule becomes a rank-one edit of the
 * layer after the concept's (two concepts: the MEMIT form), measured on held-out and test data and reported as
 * measured; erasure and steering land in the written file; weak concepts, missing layers, unmet thresholds and
 * dictionaries of other models fail at the statement with the measured figures.
 */
class ConceptLoweringTest {
    @TempDir
    static Path dir;
    static ConceptFixtures fx;

    @BeforeAll
    static void material() {
        fx = ConceptFixtures.create(dir);
    }

    static String rules(String body) {
        return fx.declarations()
                + "concept horizontal from \"" + fx.trainRef() + "\" column \"label in {0, 1}\"\n"
                + "concept vertical from \"" + fx.trainRef() + "\" column \"label in {2, 3}\"\n" + body;
    }

    static CompileResult compile(String body, ConceptPolicy policy, String out) {
        return Compiler.compile(CompileRequest.builder().optRules(new SourceFile("c.engram", rules(body)), dir)
                .optOut(dir.resolve(out)).optFidelitySamples(200).optConcepts(policy).build());
    }

    @Test
    void aRuleIsARankOneEditMeasuredNotProved() {
        CompileResult r = compile("rule no_left: when horizontal then left is not the decision margin 6\n",
                ConceptPolicy.defaults(), "one.onnx");
        assertEquals(Outcome.OK, r.outcome(), r.diagnostics() + " " + r.rules());
        RuleReport rr = r.rules().get(0);
        assertTrue(rr.method().startsWith("measured on held-out data, not proved: rank-one (ROME) edit"), rr.method());
        assertTrue(rr.method().contains("efficacy") && rr.method().contains("locality"), rr.method());
        DenseNetwork before = fx.network();
        DenseNetwork after = Models.readDense(dir.resolve("one.onnx"));
        int edited = -1;
        for (int l = 0; l < before.layers().size(); l++) {
            if (!java.util.Arrays.deepEquals(before.layers().get(l).weight(), after.layers().get(l).weight())) {
                assertEquals(-1, edited, "one layer edited");
                edited = l;
            }
            assertTrue(java.util.Arrays.equals(before.layers().get(l).bias(), after.layers().get(l).bias()));
        }
        assertTrue(edited >= 1, "the layer after the concept's layer");
        assertTrue(rankOne(before.layers().get(edited).weight(), after.layers().get(edited).weight()));
    }

    /** Whether {@code b − a} is (to float rounding) an outer product. */
    static boolean rankOne(float[][] a, float[][] b) {
        int m = a.length;
        int d = a[0].length;
        int pr = 0;
        int pc = 0;
        double big = 0;
        for (int o = 0; o < m; o++) {
            for (int i = 0; i < d; i++) {
                double v = Math.abs((double) b[o][i] - a[o][i]);
                if (v > big) {
                    big = v;
                    pr = o;
                    pc = i;
                }
            }
        }
        double pivot = (double) b[pr][pc] - a[pr][pc];
        for (int o = 0; o < m; o++) {
            for (int i = 0; i < d; i++) {
                double want = ((double) b[o][pc] - a[o][pc]) * ((double) b[pr][i] - a[pr][i]) / pivot;
                double got = (double) b[o][i] - a[o][i];
                if (Math.abs(want - got) > 1e-5 * (1 + Math.abs(a[o][i]))) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void rulesOverTwoConceptsAreSolvedTogetherInTheMemitForm() {
        CompileResult r = compile("rule no_left: when horizontal then left is not the decision margin 3\n"
                + "rule no_top: when vertical then top is not the decision margin 3\n", ConceptPolicy.defaults(),
                "two.onnx");
        assertEquals(Outcome.OK, r.outcome(), r.diagnostics() + " " + r.rules());
        assertTrue(r.rules().stream().allMatch(rr -> rr.method().contains("batched (MEMIT) edit")), r.rules()
                .toString());
    }

    @Test
    void thresholdsAndWeakCodesFailAtTheStatementWithFigures() {
        CompileResult forced = compile("rule all_left: when horizontal then left is the decision\n",
                ConceptPolicy.defaults(), "forced.onnx");
        assertEquals(Outcome.NOT_PROVED, forced.outcome());
        assertEquals(3, forced.outcome().exitCode());
        Diagnostic d = forced.errors().get(0);
        assertTrue(d.code() == DiagnosticCode.E061 || d.code() == DiagnosticCode.E062, d.toString());
        assertEquals(9, d.span().start().line(), d.toString());
        assertTrue(d.message().contains("%"), d.message());
        assertFalse(Files.exists(dir.resolve("forced.onnx")), "nothing written");

        CompileResult weak = compile("rule no_left: when horizontal then left is not the decision\n",
                ConceptPolicy.builder().optMinAuc(1.01).build(), "weak.onnx");
        assertEquals(DiagnosticCode.E062, weak.errors().get(0).code());
        String m = weak.errors().get(0).message();
        assertTrue(m.contains("coded too weakly") && m.contains("held-out AUC") && m.contains("best layer"), m);

        CompileResult deep = compile("erase horizontal at layer 7\n", ConceptPolicy.defaults(), "deep.onnx");
        assertTrue(deep.errors().get(0).message().contains("layer 7 does not exist"), deep.errors().toString());
    }

    @Test
    void erasureAndSteeringLandInTheWrittenFile() {
        CompileResult e = compile("erase horizontal at layer 1\n", ConceptPolicy.builder()
                .optMaxDrawdown(0.5).build(), "erased.onnx");
        RuleReport er = e.rules().get(0);
        assertTrue(er.method().contains("fresh linear probe"), er.method());
        assertEquals(List.of(Models.readDense(fx.model()).layers().get(1).name()), er.changes().layers(),
                "folded into the dense layer that reads layer 1");
        CompileResult s = compile("steer toward horizontal at layer 2 strength 1\n", ConceptPolicy.defaults(),
                "steered.onnx");
        assertEquals(Outcome.OK, s.outcome(), s.diagnostics().toString());
        assertTrue(s.rules().get(0).method().startsWith("exact") && s.rules().get(0).method().contains("moved"),
                s.rules().get(0).method());
        assertEquals(1, s.rules().get(0).changes().layers().size());
    }

    @Test
    void aDictionaryFileServesTheSameRulesAndIsBoundToItsModel() {
        String sha = Models.load(fx.model()).sha256();
        List<ConceptSpec> specs = List.of(
                new ConceptSpec("horizontal", fx.train(), "label in {0, 1}", OptionalInt.empty(), Span.NONE),
                new ConceptSpec("vertical", fx.train(), "label in {2, 3}", OptionalInt.empty(), Span.NONE));
        Path ncd = dir.resolve("shapes.ncd");
        NcdFile.write(Learner.learn(fx.network(), sha, DataLayout.none(64, 4), specs, Learner.Options.defaults())
                .dictionary(), ncd);
        CompileResult r = compile("rule no_left: when horizontal then left is not the decision margin 3\n",
                ConceptPolicy.builder().optDictionary(ncd).build(), "fromfile.onnx");
        assertEquals(Outcome.OK, r.outcome(), r.diagnostics().toString());
        Path other = dir.resolve("other.ncd");
        NcdFile.write(Learner.learn(fx.network(), "00".repeat(32), DataLayout.none(64, 4), specs,
                Learner.Options.defaults()).dictionary(), other);
        CompileResult bad = compile("rule no_left: when horizontal then left is not the decision\n",
                ConceptPolicy.builder().optDictionary(other).build(), "bad.onnx");
        assertEquals(Outcome.REJECTED, bad.outcome());
        assertTrue(bad.errors().get(0).message().contains("another model"), bad.errors().toString());
    }
}
