package dev.engram.lower;

import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.compile.Outcome;
import dev.engram.compile.RuleReport;
import dev.engram.data.Dataset;
import dev.engram.diag.DiagnosticCode;
import dev.engram.ir.ConceptCode;
import dev.engram.ir.ConceptPolicy;
import dev.engram.ir.Decision;
import dev.engram.ir.Measurement;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.source.SourceFile;
import dev.engram.train.MlpTrainer;
import dev.engram.verify.Verdict;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Concept rules with a formal part: a premise that combines a learned concept with input conditions (inline or
 * through a defined concept) is edited through the dictionary and measured as before, and the consequent is also
 * proved by the verifier on the region the conditions define, reported beside the measurement (a counterexample
 * there is inside the premise only when the concept's probe marks it as the concept). Material: points in the unit
 * square, class {@code a} left of x = 0.5, {@code b} right of it; the concept {@code left} is x < 0.4, learned from a
 * CSV column.
 */
class ConceptRegionTest {
    @TempDir
    static Path dir;
    static DenseNetwork net;

    static final String DECLARATIONS = """
            model "pts.onnx"
            input x at 0 in [0, 1]
            input y at 1 in [0, 1]
            output cls_a at 0
            output cls_b at 1
            decide argmax
            concept left from "pts.csv" column "left"
            concept low_x := x <= 0.3
            """;

    @BeforeAll
    static void material() throws Exception {
        Random r = new Random(5);
        int n = 3000;
        float[][] x = new float[n][2];
        int[] y = new int[n];
        StringBuilder csv = new StringBuilder("x,y,left,cls\n");
        for (int i = 0; i < n; i++) {
            x[i][0] = r.nextFloat();
            x[i][1] = r.nextFloat();
            y[i] = x[i][0] < 0.5 ? 0 : 1;
            csv.append(String.format(Locale.ROOT, "%.6f,%.6f,%d,%s%n", x[i][0], x[i][1], x[i][0] < 0.4 ? 1 : 0,
                    y[i] == 0 ? "a" : "b"));
        }
        Files.writeString(dir.resolve("pts.csv"), csv);
        net = MlpTrainer.builder().setHidden(8, 8).optEpochs(40).optBatchSize(32).optSeed(4).build()
                .train(new Dataset(x, y, List.of("a", "b"))).network();
        OnnxModel.fromDense(net, "input", "output", false, Map.of()).write(dir.resolve("pts.onnx"));
    }

    static CompileResult compile(String rules) {
        return Compiler.compile(CompileRequest.builder().optRules(new SourceFile("pts.engram", DECLARATIONS + rules),
                dir).optOut(dir.resolve("out.onnx")).optFidelitySamples(200).optTimeout(30)
                .optConcepts(ConceptPolicy.defaults()).build());
    }

    @Test
    void theEditIsMeasuredAndTheConsequentProvedOnTheRegionOrNotRefutedOutsideTheConcept() {
        CompileResult r = compile("""
                rule left_low: when left and low_x then cls_b is not the decision
                rule left_top: when left and y >= 0.5 then cls_b is not the decision
                """);
        assertEquals(Outcome.OK, r.outcome(), r.diagnostics() + " " + r.rules());
        RuleReport low = r.rules().get(0);
        assertTrue(low.measured(), "judged by measurement");
        Measurement.RegionCheck proved = low.measurement().region();
        assertTrue(proved.proved(), proved.toString());
        assertTrue(low.method().contains("formal part: proved on the region"), low.method());

        // x is free in the second rule's region: the model decides b right of 0.5, where 'left' does not hold
        Measurement.RegionCheck top = r.rules().get(1).measurement().region();
        Verdict.Sat sat = assertInstanceOf(Verdict.Sat.class, top.verdict());
        assertTrue(sat.input()[0] > 0.4, "the counterexample is not 'left': " + sat.input()[0]);
        assertFalse(top.marked(), top.meaning());
        assertTrue(top.meaning().contains("does not mark it as 'left'"), top.meaning());
        assertTrue(r.rules().get(1).proved(), "the rule stands as measured");
    }

    @Test
    void aCounterexampleTheProbeMarksAsTheConceptBreaksTheRuleAsTheCodeReadsIt() {
        CompileResult r = compile("rule left_top: when left and y >= 0.5 then cls_b is not the decision\n");
        Obligation.ConceptRule rule = (Obligation.ConceptRule) r.ir().obligations().get(0);
        ConceptCode c = rule.code();
        // a probe that marks every input: the counterexample is then inside the premise
        ConceptCode everywhere = new ConceptCode(c.concept(), c.layer(), new double[c.dim()], -1, c.positiveMean(),
                c.negativeMean(), c.mean(), c.covariance(), c.count(), c.positives(), c.negatives(), c.auc(),
                c.accuracy(), c.heldOut(), c.bestLayer(), c.bestAuc(), c.map());
        Obligation.ConceptRule marked = new Obligation.ConceptRule(rule.name(), rule.span(), everywhere,
                rule.consequent(), rule.evidence(), rule.policy(), rule.formal());
        Measurement.RegionCheck rc = ConceptEditLowering.region(net, marked, new Lowering.Context(
                r.ir().domain(), Decision.ARGMAX, Set.of(), 1, dev.engram.verify.bounds.Deadline.after(30)));
        assertInstanceOf(Verdict.Sat.class, rc.verdict());
        assertTrue(rc.marked(), rc.meaning());
        assertTrue(rc.meaning().contains("the rule does not hold there"), rc.meaning());
    }

    @Test
    void negatedOrMixedPremisesAreNotYetLowered() {
        for (String premise : List.of("not left and low_x", "left or low_x")) {
            CompileResult r = compile("rule r1: when " + premise + " then cls_b is not the decision\n");
            assertEquals(Outcome.REJECTED, r.outcome(), premise);
            assertEquals(DiagnosticCode.E060, r.errors().get(0).code(), premise);
            assertTrue(r.errors().get(0).message().contains("that one concept, not negated, in every case"),
                    r.errors().get(0).message());
        }
    }
}
