package dev.engram.front;

import dev.engram.source.SourceFile;
import dev.engram.verify.Property;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** VNN-LIB files become properties: every benchmark file parses; regions and unsafe sets come out right. */
class VnnlibPropertiesTest {

    static Path shared() {
        return dev.engram.SharedData.path();
    }

    @Test
    void everyBenchmarkFileParsesAndConverts() throws Exception {
        Path data = shared();
        assumeTrue(Files.isDirectory(data.resolve("acasxu/vnnlib")), "shared data not found at " + data
                + ": skipping the benchmark VNN-LIB files");
        List<Path> files;
        try (Stream<Path> s = Stream.concat(Files.list(data.resolve("acasxu/vnnlib")),
                Files.list(data.resolve("vnncomp-test")))) {
            files = s.filter(p -> p.toString().endsWith(".vnnlib")).sorted().toList();
        }
        assertTrue(files.size() >= 14, "found " + files.size());
        for (Path f : files) {
            VnnlibFile v = VnnlibFile.read(f, -1, -1);
            assertTrue(v.ok(), f + ": " + v.diagnostics());
            assertFalse(v.properties().isEmpty(), f.toString());
        }
        Property p7 = VnnlibFile.read(data.resolve("acasxu/vnnlib/prop_7.vnnlib"), 5, 5).properties().get(0);
        assertEquals(2, p7.unsafe().size(), "property 7: strong left or strong right is minimal");
        assertEquals(3, p7.unsafe().get(0).size());
        System.out.println("[vnnlib] " + files.size() + " benchmark files parsed and converted");
    }

    @Test
    void boundsDisjunctionsAndSizeChecks() {
        String text = """
                (declare-const X_0 Real)
                (declare-const X_1 Real)
                (declare-const Y_0 Real)
                (declare-const Y_1 Real)
                (assert (>= X_0 -1))
                (assert (<= X_0 1))
                (assert (and (>= X_1 0) (<= X_1 2)))
                (assert (<= (+ X_0 X_1) 2.5))
                (assert (or (and (<= Y_0 Y_1)) (and (>= Y_0 3))))
                """;
        VnnlibFile f = VnnlibFile.of(new SourceFile("t.vnnlib", text), 2, 2);
        assertTrue(f.ok(), f.diagnostics().toString());
        Property p = f.properties().get(0);
        assertEquals(-1, p.region().boxes().get(0).lo()[0]);
        assertEquals(2, p.region().boxes().get(0).hi()[1]);
        assertEquals(1, p.region().constraints().size());
        assertEquals(2, p.unsafe().size());
        assertTrue(p.isUnsafe(new double[] {0, 1}, 0));
        assertTrue(p.isUnsafe(new double[] {3, 1}, 0));
        assertFalse(p.isUnsafe(new double[] {2, 1}, 0));
        VnnlibFile wrongSize = VnnlibFile.of(new SourceFile("t.vnnlib", text), 3, 2);
        assertEquals("E093", wrongSize.diagnostics().get(0).code().id());
        VnnlibFile unbounded = VnnlibFile.of(new SourceFile("u.vnnlib",
                "(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= X_0 1))(assert (<= Y_0 0))"), 1, 1);
        assertEquals("E093", unbounded.diagnostics().get(0).code().id());
        assertTrue(unbounded.diagnostics().get(0).message().contains("no lower bound"));
    }

    /**
     * A bound of one input (read straight into the box, without a dense row) gives the box the general path gives
     * the same comparison with a zero term of another input added (which takes the dense rows), bit for bit: random
     * scales, signs, constants and relations (every relation, both sides), 200 files.
     */
    @Test
    void oneInputBoundsGiveTheBoxTheGeneralPathGives() {
        java.util.Random r = new java.util.Random(11);
        String[] rel = {"<=", ">=", "<", ">", "="};
        for (int c = 0; c < 200; c++) {
            StringBuilder fast = new StringBuilder("(declare-const X_0 Real)(declare-const X_1 Real)"
                    + "(declare-const X_2 Real)(declare-const Y_0 Real)");
            StringBuilder slow = new StringBuilder(fast);
            for (int k = 0; k < 6; k++) {
                int i = r.nextInt(3);
                String a = r.nextBoolean() ? "" : String.valueOf((r.nextBoolean() ? -1 : 1) * (0.25 + 3 * r.nextDouble()));
                String term = a.isEmpty() ? "X_" + i : "(* " + a + " X_" + i + ")";
                String b = String.valueOf(4 * r.nextGaussian());
                String op = rel[r.nextInt(rel.length)];
                boolean left = r.nextBoolean();
                fast.append(left ? "(assert (" + op + " " + term + " " + b + "))"
                        : "(assert (" + op + " " + b + " " + term + "))");
                String both = "(+ " + term + " (* 0 X_" + ((i + 1) % 3) + "))";
                slow.append(left ? "(assert (" + op + " " + both + " " + b + "))"
                        : "(assert (" + op + " " + b + " " + both + "))");
            }
            String tail = "(assert (>= X_0 -9))(assert (<= X_0 9))(assert (>= X_1 -9))(assert (<= X_1 9))"
                    + "(assert (>= X_2 -9))(assert (<= X_2 9))(assert (<= Y_0 0))";
            VnnlibFile f = VnnlibFile.of(new SourceFile("f.vnnlib", fast + tail), 3, 1);
            VnnlibFile g = VnnlibFile.of(new SourceFile("g.vnnlib", slow + tail), 3, 1);
            assertEquals(g.properties().size(), f.properties().size(), "case " + c);
            for (int k = 0; k < f.properties().size(); k++) {
                var fb = f.properties().get(k).region().boxes();
                var gb = g.properties().get(k).region().boxes();
                assertEquals(gb.size(), fb.size(), "case " + c);
                for (int j = 0; j < fb.size(); j++) {
                    assertTrue(java.util.Arrays.equals(gb.get(j).lo(), fb.get(j).lo()), "case " + c + " lo");
                    assertTrue(java.util.Arrays.equals(gb.get(j).hi(), fb.get(j).hi()), "case " + c + " hi");
                }
            }
        }
    }

    @Test
    void aComparisonOfConstantsIsDecidedNotACrash() {
        String text = """
                (declare-const X_0 Real)
                (declare-const Y_0 Real)
                (declare-const Y_1 Real)
                (assert (<= X_0 1))
                (assert (>= X_0 -1))
                (assert (<= 1 0.5))
                (assert (<= Y_0 Y_1))
                """;
        VnnlibFile f = VnnlibFile.of(new SourceFile("const.vnnlib", text), -1, -1);
        assertTrue(f.diagnostics().stream().noneMatch(d -> d.isError()), f.diagnostics().toString());
        // 1 <= 0.5 is false: the unsafe set is empty, so there is nothing to check (no property at all)
        assertEquals(List.of(), f.properties());
        // the same file with a true comparison of constants: one property, whose unsafe set is Y_0 <= Y_1 alone
        VnnlibFile t = VnnlibFile.of(new SourceFile("const.vnnlib", text.replace("(<= 1 0.5)", "(<= 0.5 1)")), -1, -1);
        assertTrue(t.diagnostics().stream().noneMatch(d -> d.isError()), t.diagnostics().toString());
        assertEquals(1, t.properties().size(), t.properties().toString());
        Property p = t.properties().get(0);
        assertEquals(1, p.unsafe().size());
        assertEquals(1, p.unsafe().get(0).size());
        assertTrue(p.isUnsafe(new double[] {0, 1}, 0));
        assertFalse(p.isUnsafe(new double[] {1, 0}, 0));
    }
}
