package dev.engram.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import dev.engram.front.VnnlibFile;
import dev.engram.verify.Property;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code engram verify} on the CI subset of the benchmarks: the vnncomp-test instances and a dozen ACAS Xu
 * instances (holding and violated) must give the expected verdict; sat result files carry a witness that the
 * verifier re-executed.
 */
class VerifyCommandTest {

    static Path data() {
        return ModelCommandsTest.shared();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "vnncomp-test/test_nano.onnx, vnncomp-test/test_nano.vnnlib, unsat",
            "vnncomp-test/test_tiny.onnx, vnncomp-test/test_tiny.vnnlib, unsat",
            "vnncomp-test/test_small.onnx, vnncomp-test/test_small.vnnlib, unsat",
            "vnncomp-test/test_sat.onnx, vnncomp-test/test_prop.vnnlib, sat",
            "vnncomp-test/test_unsat.onnx, vnncomp-test/test_prop.vnnlib, unsat",
            "acasxu/onnx/ACASXU_run2a_1_1_batch_2000.onnx, acasxu/vnnlib/prop_1.vnnlib, unsat",
            "acasxu/onnx/ACASXU_run2a_1_2_batch_2000.onnx, acasxu/vnnlib/prop_2.vnnlib, sat",
            "acasxu/onnx/ACASXU_run2a_1_1_batch_2000.onnx, acasxu/vnnlib/prop_4.vnnlib, unsat",
            "acasxu/onnx/ACASXU_run2a_1_7_batch_2000.onnx, acasxu/vnnlib/prop_3.vnnlib, sat",
            "acasxu/onnx/ACASXU_run2a_1_8_batch_2000.onnx, acasxu/vnnlib/prop_4.vnnlib, sat",
            "acasxu/onnx/ACASXU_run2a_2_1_batch_2000.onnx, acasxu/vnnlib/prop_2.vnnlib, sat",
            "acasxu/onnx/ACASXU_run2a_4_3_batch_2000.onnx, acasxu/vnnlib/prop_2.vnnlib, sat",
            "acasxu/onnx/ACASXU_run2a_1_1_batch_2000.onnx, acasxu/vnnlib/prop_5.vnnlib, unsat",
            "acasxu/onnx/ACASXU_run2a_1_4_batch_2000.onnx, acasxu/vnnlib/prop_1.vnnlib, unsat",
            "acasxu/onnx/ACASXU_run2a_1_9_batch_2000.onnx, acasxu/vnnlib/prop_7.vnnlib, sat",
            "acasxu/onnx/ACASXU_run2a_2_9_batch_2000.onnx, acasxu/vnnlib/prop_8.vnnlib, sat",
    })
    void ciSubsetGivesTheExpectedVerdicts(String model, String prop, String expected) throws Exception {
        Path m = data().resolve(model);
        Path p = data().resolve(prop);
        assumeTrue(Files.isRegularFile(m) && Files.isRegularFile(p), "benchmark data not found under " + data());
        Path result = Files.createTempDirectory("verify").resolve("result.txt");
        ModelCommandsTest.Run r = ModelCommandsTest.engram("verify", "--model", m.toString(), "--vnnlib",
                p.toString(), "--timeout", "60", "--result", result.toString());
        System.out.print("[verify] " + r.out());
        List<String> lines = Files.readAllLines(result);
        assertEquals(expected, lines.get(0), r.out() + r.err());
        assertEquals(0, r.code());
        if (expected.equals("sat")) {
            assertTrue(lines.get(1).startsWith("((X_0 "), lines.toString());
            assertTrue(lines.get(lines.size() - 1).endsWith("))"), lines.toString());
            witnessViolatesThePropertyUnderOnnxRuntime(m, p, lines);
        }
    }

    /**
     * Re-executes a result file's witness with ONNX Runtime (an executor independent of ours): the input lies in the
     * property's region, the recorded outputs are what the model computes, and they fall in the unsafe set.
     */
    static void witnessViolatesThePropertyUnderOnnxRuntime(Path model, Path prop, List<String> lines) throws Exception {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        java.util.regex.Matcher mt = java.util.regex.Pattern.compile("\\((X|Y)_(\\d+) (\\S+?)\\)")
                .matcher(String.join("\n", lines.subList(1, lines.size())));
        while (mt.find()) {
            (mt.group(1).equals("X") ? xs : ys).add(Double.parseDouble(mt.group(3)));
        }
        float[] x = new float[xs.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (double) xs.get(i);
        }
        float[] y = ModelCommandsTest.ort(model, x);
        assertEquals(ys.size(), y.length);
        for (int j = 0; j < y.length; j++) {
            assertEquals(ys.get(j), y[j], 1e-5 * (1 + Math.abs(y[j])), "recorded output " + j + " vs ONNX Runtime");
        }
        VnnlibFile f = VnnlibFile.read(prop, x.length, y.length);
        double[] xd = xs.stream().mapToDouble(Double::doubleValue).toArray();
        double[] yd = new double[y.length];
        for (int j = 0; j < y.length; j++) {
            yd[j] = y[j];
        }
        boolean violated = false;
        for (Property pr : f.properties()) {
            boolean in = pr.region().boxes().stream().anyMatch(b -> {
                for (int i = 0; i < xd.length; i++) {
                    if (xd[i] < b.lo()[i] - 1e-6 || xd[i] > b.hi()[i] + 1e-6) {
                        return false;
                    }
                }
                return true;
            }) && pr.region().constraints().stream().allMatch(c -> c.holds(xd, 1e-6));
            boolean unsafe = pr.unsafe().stream().anyMatch(conj -> conj.stream().allMatch(c -> c.holds(yd, 1e-5)));
            violated |= in && unsafe;
        }
        assertTrue(violated, "the witness " + lines + " does not violate " + prop.getFileName() + " under ONNX Runtime: "
                + java.util.Arrays.toString(y));
    }

    @Test
    void malformedPropertyIsReportedWithPosition() throws Exception {
        Path m = data().resolve("vnncomp-test/test_nano.onnx");
        assumeTrue(Files.isRegularFile(m), "benchmark data not found");
        Path bad = Files.createTempDirectory("verify").resolve("bad.vnnlib");
        Files.writeString(bad, "(declare-const X_0 Real)\n(assert (<= X_0 1)\n");
        ModelCommandsTest.Run r = ModelCommandsTest.engram("verify", "--model", m.toString(), "--vnnlib", bad.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(bad + ":3:1: error[E090]: missing ')' at end of file"), r.err());
    }
}
