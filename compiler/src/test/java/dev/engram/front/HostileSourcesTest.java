package dev.engram.front;

import dev.engram.CheckReport;
import dev.engram.Engram;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Outcome;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticRenderer;
import dev.engram.model.DenseNetworks;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.source.SourceFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Hostile rule files and VNN-LIB files through the front door ({@code Engram.check} and {@code Engram.compile}),
 * each within a fixed budget: a clear error (the diagnostic code expected for the case, or a message naming the file
 * and the reason), under 1 s
 * of CPU time, under 64 MB allocated by the calling thread (plus 128 bytes per byte of input: a parse tree is paid
 * for by the text), and never a line of a file outside the rule file's folder in what is
 * printed.
 */
class HostileSourcesTest {
    static final long MAX_ALLOCATED = 64L << 20;
    /**
     * Allocation allowed per byte of input on top of {@link #MAX_ALLOCATED}: a parse tree costs memory in proportion
     * to the text it stands for; what the budget refuses is amplification (a small file making the reader allocate
     * far more than its size).
     */
    static final long ALLOCATED_PER_BYTE = 128;
    static final long MAX_MILLIS = 1000;
    /** Text that stands for a file the user's rules must not reveal. */
    static final String SECRET = "s3cr3t-line-of-another-file";

    static Path dir;
    static Path outside;
    static Path model;

    @BeforeAll
    static void setUp() throws Exception {
        Path root = Files.createTempDirectory("hostile-sources");
        dir = Files.createDirectories(root.resolve("rules"));
        outside = root.resolve("elsewhere");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("secret.vnnlib"), "(" + SECRET + " X_0)\n" + SECRET + "\n");
        Files.writeString(outside.resolve("secret.onnx"), SECRET + "\n");
        Files.writeString(outside.resolve("secret.engram"), SECRET + "\n");
        model = dir.resolve("m.onnx");
        OnnxModel.fromDense(DenseNetworks.random(new Random(1), "fc", 0.1, 2, 6, 6, 2), "x", "y", true, Map.of())
                .write(model);
    }

    /** One hostile input: its file name and bytes, the job that reads it, and what its error must say. */
    record Case(String name, byte[] bytes, boolean compile, String expect) {
        static Case rules(String name, String text, String expect) {
            return new Case(name, text.getBytes(StandardCharsets.UTF_8), false, expect);
        }
    }

    static String decl() {
        return "input x at 0 in [0, 1]\ninput y at 1 in [0, 1]\noutput a at 0\noutput b at 1\ndecide argmax\n";
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        String vn = "(declare-const X_0 Real)(declare-const Y_0 Real)";
        c.add(Case.rules("nul.engram", "input x\u0000 at 0 in [0, 1]\n", "error[E001]"));
        c.add(new Case("garbage.engram", garbage(1 << 20), false, "error[E001]"));
        c.add(new Case("invalid-utf8.engram", repeat(new byte[] {(byte) 0xC0, (byte) 0xFF, (byte) 0xED, 0x1b}, 250_000),
                false, "error[E001]"));
        c.add(Case.rules("long-line.engram", decl() + "rule r: when x > 1" + "1".repeat(1_000_000) + " then a > 0\n",
                "error[E004]"));
        c.add(Case.rules("parens.engram", decl() + "rule r: when " + "(".repeat(100_000) + "x > 1 then a > 0\n",
                "error[E003]"));
        c.add(Case.rules("digits.engram", decl() + "rule r: when x >= " + "9".repeat(400) + " then a >= 0\n",
                "error[E004]"));
        c.add(Case.rules("exponent.engram", decl() + "rule r: when x >= 1e999999 then a >= 0\n", "error[E004]"));
        c.add(Case.rules("index.engram", "input x at 2147483647 in [0, 1]\noutput a at 2147483647\n", "error[E014]"));
        c.add(Case.rules("dnf.engram", decl() + "rule r: when x > 0 " + "or y > 0 ".repeat(10_000) + "then a > 0\n",
                "error[E024]"));
        c.add(Case.rules("cnf.engram", decl() + "rule r: when x > 0 then a > 0 " + "or b > 0 ".repeat(15_000) + "\n",
                "error[E024]"));
        c.add(Case.rules("concepts.engram", "concept k := " + "k and ".repeat(20_000) + "k\n", "error[E024]"));
        c.add(Case.rules("nots.engram", decl() + "rule r: when " + "not ".repeat(50_000) + "x > 1 then a > 0\n",
                "error[E003]"));
        c.add(Case.rules("names.engram", "input " + "x".repeat(1_000_000) + " at 0 in [0, 1]\nrule r: when "
                + "y".repeat(1_000_000) + " > 0 then a > 0\n", "error[E010]"));
        c.add(Case.rules("comment.engram", "/* " + "*".repeat(1_000_000), "error[E001]: unterminated block comment"));
        c.add(Case.rules("nested.vnnlib", vn + "(assert " + "(and ".repeat(100_000) + "(<= X_0 1)"
                + ")".repeat(100_000) + ")", "error[E091]"));
        c.add(Case.rules("wide.vnnlib", vn + "(assert (<= (+ " + "X_0 ".repeat(100_000) + ") 1))", "error[E093]"));
        c.add(Case.rules("index.vnnlib", "(declare-const X_99999999999999 Real)(declare-const Y_0 Real)"
                + "(assert (<= X_99999999999999 1))", "error[E093]"));
        c.add(Case.rules("big-index.vnnlib", "(declare-const X_4000000 Real)(declare-const Y_0 Real)"
                + "(assert (<= X_4000000 1))", "error[E093]"));
        c.add(Case.rules("cases.vnnlib", vn + "(assert (or " + "(and (<= Y_0 1) (>= X_0 0)) ".repeat(20_000) + "))",
                "error[E093]"));
        c.add(Case.rules("number.vnnlib", vn + "(assert (<= X_0 1e999999))", "error[E091]"));
        c.add(new Case("garbage.vnnlib", garbage(1 << 20), false, "error[E090]"));
        // the rule file points outside its folder: errors name the files, never their text
        String up = "../elsewhere/";
        c.add(new Case("model-outside.engram", ("model \"" + up + "secret.onnx\"\n" + decl()
                + "rule r: when x > 0.5 then a > 0\n").getBytes(StandardCharsets.UTF_8), true,
                "secret.onnx: not a valid ONNX"));
        c.add(new Case("import-outside.engram", ("model \"m.onnx\"\n" + decl() + "import vnnlib \"" + up
                + "secret.vnnlib\" as property\n").getBytes(StandardCharsets.UTF_8), true, "error[E090]"));
        c.add(new Case("model-is-rules.engram", ("model \"" + up + "secret.engram\"\n" + decl())
                .getBytes(StandardCharsets.UTF_8), true, "secret.engram: unknown model f"));
        c.add(new Case("model-is-folder.engram", ("model \"" + up + "\"\n" + decl())
                .getBytes(StandardCharsets.UTF_8), true, "elsewhere: unknown model format"));
        return c;
    }

    @Test
    void everyHostileSourceGetsAClearErrorWithinTheBudget() throws Exception {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported(), "this JVM cannot measure a thread's allocations");
        List<Case> cases = cases();
        assertTrue(cases.size() >= 25, cases.size() + " cases");
        // warm up the classes on clean files, so the first case is not charged for class loading
        Path warm = dir.resolve("warm.engram");
        Files.writeString(warm, decl() + "rule r: when x > 0.5 and y < 0.2 then a >= b + 1\n");
        Path warmV = dir.resolve("warm.vnnlib");
        Files.writeString(warmV, "(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= (+ X_0 X_0) 1))"
                + "(assert (>= X_0 0))(assert (<= Y_0 1))");
        Engram.check(List.of(warm, warmV), Optional.empty());
        long worstMs = 0;
        long worstBytes = 0;
        for (Case k : cases) {
            Path f = dir.resolve(k.name());
            Files.write(f, k.bytes());
            long[] cost = new long[2];
            String printed = measure(cost, () -> k.compile() ? compile(f) : check(f));
            worstMs = Math.max(worstMs, cost[0]);
            worstBytes = Math.max(worstBytes, cost[1]);
            assertTrue(cost[0] < MAX_MILLIS, k.name() + " took " + cost[0] + " ms");
            long budget = MAX_ALLOCATED + ALLOCATED_PER_BYTE * k.bytes().length;
            assertTrue(cost[1] < budget, k.name() + " allocated " + (cost[1] >> 20) + " MB, budget " + (budget >> 20));
            assertTrue(printed.contains(k.expect()), k.name() + " should say '" + k.expect() + "': "
                    + abbreviate(printed));
            assertFalse(printed.contains(SECRET), k.name() + " printed another file's text: " + abbreviate(printed));
        }
        System.out.printf("[hostile-sources] %d cases, worst %d ms, worst %.1f MB allocated%n", cases.size(), worstMs,
                worstBytes / 1048576.0);
    }

    @Test
    void aRuleFileOverTheSizeCapIsRefusedBeforeItIsRead() throws Exception {
        Path big = dir.resolve("huge.engram");
        try (RandomAccessFile r = new RandomAccessFile(big.toFile(), "rw")) {
            r.setLength(SourceFile.MAX_RULE_BYTES + 1); // sparse: no disk, no memory
        }
        long[] cost = new long[2];
        String printed = measure(cost, () -> check(big));
        assertTrue(printed.contains("cannot read " + big) && printed.contains("the limit is"), printed);
        assertTrue(cost[1] < MAX_ALLOCATED, "allocated " + (cost[1] >> 20) + " MB");
        CompileResult r = Engram.compile(CompileRequest.builder().optRules(big).setModel(model).build());
        assertEquals(Outcome.UNUSABLE, r.outcome());
        assertTrue(r.message().orElse("").contains("the limit is"), r.message().toString());
    }

    /** What {@code engram check} would print for {@code f}. */
    static String check(Path f) {
        CheckReport r = Engram.check(List.of(f), Optional.empty());
        StringBuilder sb = new StringBuilder();
        r.message().ifPresent(m -> sb.append("error: ").append(m).append('\n'));
        r.unreadable().forEach(u -> sb.append("error: ").append(u).append('\n'));
        for (CheckReport.FileReport fr : r.files()) {
            for (Diagnostic d : fr.diagnostics()) {
                sb.append(DiagnosticRenderer.text(d, fr.source()));
            }
        }
        return sb.toString();
    }

    /** What {@code engram compile} would print for {@code f}. */
    static String compile(Path f) {
        CompileResult r = Engram.compile(CompileRequest.builder().optRules(f).optFidelitySamples(10)
                .optTimeout(1).build());
        StringBuilder sb = new StringBuilder();
        r.message().ifPresent(m -> sb.append("error: ").append(m).append('\n'));
        for (Diagnostic d : r.diagnostics()) {
            SourceFile shown = r.sources().stream().filter(s -> s.path().equals(d.span().file())).findFirst()
                    .orElse(null);
            sb.append(DiagnosticRenderer.text(d, shown));
        }
        return sb.toString();
    }

    /**
     * Runs {@code job}; {@code cost} gets the milliseconds of CPU time this thread spent (wall time would measure the
     * machine's other work too) and the bytes it allocated.
     */
    static String measure(long[] cost, Supplier<String> job) {
        com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long b0 = t.getThreadAllocatedBytes(id);
        long t0 = t.getCurrentThreadCpuTime();
        String out = job.get();
        cost[0] = (t.getCurrentThreadCpuTime() - t0) / 1_000_000;
        cost[1] = t.getThreadAllocatedBytes(id) - b0;
        return out;
    }

    static byte[] garbage(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    static byte[] repeat(byte[] unit, int times) {
        byte[] b = new byte[unit.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(unit, 0, b, i * unit.length, unit.length);
        }
        return b;
    }

    static String abbreviate(String s) {
        return s.length() > 400 ? s.substring(0, 400) + "..." : s;
    }
}
