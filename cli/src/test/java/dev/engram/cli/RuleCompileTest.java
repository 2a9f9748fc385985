package dev.engram.cli;

import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.model.Models;
import dev.engram.model.onnx.OnnxModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code engram compile RULES.engram} end to end on a model the test generates: rules written in real units
 * (a box premise, a premise with a linear constraint, a categorical input) are lowered, proved on the written
 * file, and a false property is reported at its source position with a counterexample in real units.
 */
class RuleCompileTest {
    static Path dir;

    static final String DECLS = """
            model "credit.onnx"
            /// Applicant age.
            input age at 0 in [18, 90] years
            input income at 1 in [0, 200000] EUR
            input sex at 2 one of {female, male}
            normalize age mean 50 range 70
            normalize income mean 100000 range 200000
            output approve at 0
            output reject at 1
            decide argmax
            """;

    @BeforeAll
    static void model() throws Exception {
        dir = Files.createTempDirectory("rulecompile");
        DenseNetwork net = DenseNetworks.random(new Random(11), "l", 0.1, 4, 16, 16, 2);
        OnnxModel.fromDense(net, "x", "y", true, Map.of()).write(dir.resolve("credit.onnx"));
    }

    @Test
    void rulesInRealUnitsAreLoweredAndProved() throws Exception {
        Path rules = dir.resolve("ok.engram");
        Files.writeString(rules, DECLS + """
                /// Young applicants with a low income are rejected.
                rule young_low_income:
                    when age <= 25 and income <= 20000
                    then reject is the decision
                    using guard
                    margin 0.1

                /// Older applicants whose income is small for their age are not approved.
                rule small_income_for_age:
                    when age >= 60 and income <= 1000 * age and sex is male
                    then approve is not the decision

                property young_rejected:
                    over age in [18, 25] and income in [0, 20000]
                    ensure reject is the decision
                """);
        Path out = dir.resolve("patched.onnx");
        Path report = dir.resolve("r.json");
        byte[] before = Files.readAllBytes(dir.resolve("credit.onnx"));
        ModelCommandsTest.Run r = ModelCommandsTest.engram("compile", rules.toString(), "--out", out.toString(),
                "--report", report.toString(), "--samples", "2000");
        System.out.print("[rule-compile] " + r.out());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(Arrays.equals(before, Files.readAllBytes(dir.resolve("credit.onnx"))), "input model modified");
        String json = Files.readString(report);
        assertTrue(json.contains("\"name\": \"young_low_income\"") && json.contains("\"name\": \"small_income_for_age\"")
                && json.contains("\"name\": \"young_rejected\"") && json.contains("\"proved\": true")
                && !json.contains("\"proved\": false") && json.contains("\"decision\": \"argmax\""), json);

        // the rules hold on the written model at sampled points (real units -> model units by hand)
        DenseNetwork net = Models.load(out).dense();
        Random rnd = new Random(5);
        for (int k = 0; k < 2000; k++) {
            double age = 18 + 7 * rnd.nextDouble();
            double income = 20000 * rnd.nextDouble();
            float[] x = {(float) ((age - 50) / 70), (float) ((income - 100000) / 200000), 1, 0};
            float[] y = net.evaluate(x);
            assertTrue(y[1] > y[0], "young, low income, approved at " + Arrays.toString(x));
        }
    }

    @Test
    void aFalsePropertyFailsWithARealUnitCounterexampleAtItsSource() throws Exception {
        Path rules = dir.resolve("bad.engram");
        Files.writeString(rules, DECLS + """
                rule young_low_income:
                    when age <= 25 and income <= 20000
                    then reject is the decision

                property everyone_approved:
                    over age in [18, 90]
                    ensure approve is the decision
                """);
        Path out = dir.resolve("never.onnx");
        ModelCommandsTest.Run r = ModelCommandsTest.engram("compile", rules.toString(), "--out", out.toString(),
                "--samples", "200");
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("bad.engram:" + (DECLS.split("\n").length + 5) + ":1: error[E061]"), r.err());
        assertTrue(r.err().contains("age = ") && r.err().contains("years") && r.err().contains("approve = "), r.err());
        assertFalse(Files.exists(out), "a model was written although a property failed");
    }

    @Test
    void ruleErrorsStopBeforeTheModelIsTouched() throws Exception {
        Path rules = dir.resolve("err.engram");
        Files.writeString(rules, DECLS + "rule r:\n    when agee <= 25\n    then reject is the decision\n");
        ModelCommandsTest.Run r = ModelCommandsTest.engram("compile", rules.toString(), "--out",
                dir.resolve("x.onnx").toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("error[E010]") && r.err().contains("age"), r.err());
    }

    @Test
    void verifyRulesReportsEachStatementInRealUnits() throws Exception {
        Path rules = dir.resolve("verify.engram");
        Files.writeString(rules, DECLS + """
                ignore sex

                property everyone_approved:
                    over age in [18, 90]
                    ensure approve is the decision

                property scores_bounded:
                    over age in [18, 90]
                    ensure approve <= 1000
                """);
        ModelCommandsTest.Run r = ModelCommandsTest.engram("verify", "--model", dir.resolve("credit.onnx").toString(),
                "--rules", rules.toString(), "--timeout", "20");
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("violated") && r.out().contains("ignore sex")
                && r.out().matches("(?s).*holds\\s+\\S+ s\\s+property scores_bounded.*"), r.out());
        assertTrue(r.err().contains("the outputs change with 'sex'") && r.err().contains("error[E061]")
                && r.err().contains("income = "), r.err());
    }

    @Test
    void repairKeepsTheArchitectureAndIsProved() throws Exception {
        Path rules = dir.resolve("repair.engram");
        Files.writeString(rules, DECLS + """
                /// Young applicants with a low income are rejected, without growing the model.
                rule young_low_income:
                    when age <= 25 and income <= 20000
                    then reject is the decision
                    using repair
                """);
        Path out = dir.resolve("repaired.onnx");
        Path report = dir.resolve("repair.json");
        ModelCommandsTest.Run r = ModelCommandsTest.engram("compile", rules.toString(), "--out", out.toString(),
                "--report", report.toString(), "--samples", "2000");
        System.out.print("[rule-compile] " + r.out());
        assertEquals(0, r.code(), r.out() + r.err());
        String json = Files.readString(report);
        assertTrue(json.contains("\"strategy\": \"repair\"") && json.contains("\"unitsAdded\": 0")
                && json.contains("\"parametersAdded\": 0") && json.contains("\"proved\": true"), json);
        DenseNetwork before = Models.load(dir.resolve("credit.onnx")).dense();
        DenseNetwork after = Models.load(out).dense();
        for (int l = 0; l < before.layers().size(); l++) {
            assertEquals(before.layers().get(l).outputSize(), after.layers().get(l).outputSize(), "layer " + l);
            if (l < before.layers().size() - 1) {
                assertTrue(Arrays.deepEquals(before.layers().get(l).weight(), after.layers().get(l).weight()),
                        "hidden layer " + l + " changed");
            }
        }
    }
}
