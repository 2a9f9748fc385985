package dev.engram.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticRenderer;
import dev.engram.parse.AstPrinter;
import dev.engram.diag.Diagnosed;
import dev.engram.ast.RuleFile;
import dev.engram.parse.RuleParser;
import dev.engram.front.VnnlibFile;
import dev.engram.source.SourceFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The front end never breaks, whatever bytes it is given: mutated example and corpus files, binary garbage,
 * huge numbers, deep nesting, megabyte lines, invalid UTF-8 and control characters all go through the same
 * path as {@code engram check} (bytes decoded by {@link SourceFile#fromBytes}, then {@link RuleParser}, the
 * {@link Checker}, and the VNN-LIB front end). Law: no exception, no hang, a result every time, and every
 * problem reported as a diagnostic with a code, a message and a position inside the file.
 */
class FrontEndRobustnessProperties {
    /** Any single input taking longer than this counts as a hang. */
    private static final long TIMEOUT_SECONDS = 20;

    /**
     * The generators' seed: fixed by default so that the suite (and CI) is reproducible; pass
     * {@code -Dengram.fuzz.seed=N} to explore other inputs, or {@code random} for a new seed each run.
     */
    private static org.quicktheories.QuickTheory theory() {
        String s = System.getProperty("engram.fuzz.seed", "20261124");
        return s.equals("random") ? qt() : qt().withFixedSeed(Long.parseLong(s));
    }

    private static final String[] VOCABULARY = {
        "model", "input", "output", "normalize", "decide", "argmax", "argmin", "concept", ":=", "from", "column",
        "at", "layer", "rule", ":", "when", "then", "using", "guard", "repair", "margin", "ignore", "erase", "steer",
        "toward", "strength", "monotone", "increasing", "decreasing", "in", "property", "over", "ensure", "import",
        "vnnlib", "as", "one", "of", "{", "}", "[", "]", "(", ")", ",", "mean", "range", "scale", "offset", "and",
        "or", "not", "is", "the", "decision", "maximal", "minimal", "<=", "<", ">=", ">", "=", "+", "-", "*", "/",
        "pi", "x", "rho", "COC", "age", "sex", "female", "0", "1", "-3", "2.5", ".5e3", "1e-9", "\"f.onnx\"",
        "///doc\n", "/** doc */", "// c\n", "# c\n", "/* c */", "\n", " ", "\t",
        "declare-const", "assert", "X_0", "Y_0", "Real", "Int", "check-sat", ";",
    };

    private static final String[] VNNLIB_SEEDS = {
        "; property\n(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n"
                + "(declare-const Y_1 Real)\n(assert (<= X_0 1))\n(assert (>= X_0 -1))\n(assert (<= X_1 0.5))\n"
                + "(assert (>= X_1 -.5e1))\n(assert (or (and (<= Y_0 Y_1)) (and (>= (+ Y_0 (* 2 Y_1)) 3))))\n",
        "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (and (<= X_0 1) (>= X_0 0)))\n"
                + "(assert (< (- Y_0 1.5) 0))\n(check-sat)\n",
        "(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= X_0 1))(assert (>= X_0 0))"
                + "(assert (not (= Y_0 0)))",
    };

    private static List<byte[]> seeds;
    private static Path baseDir;
    private static ExecutorService worker;

    @BeforeAll
    static void setUp() throws IOException {
        seeds = new ArrayList<>();
        for (String dir : List.of("../examples", "../grammar/src/test/resources/malformed", "src/test/resources/malformed")) {
            Path d = Path.of(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(d)) {
                for (Path p : s.filter(p -> p.toString().endsWith(".engram")).sorted().toList()) {
                    seeds.add(Files.readAllBytes(p));
                }
            }
        }
        for (String v : VNNLIB_SEEDS) {
            seeds.add(v.getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(seeds.size() >= 80, "only " + seeds.size() + " seed files found");
        baseDir = Files.createTempDirectory("engram-robust");
        worker = newWorker();
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            // 1 MB of stack, the JVM default the `engram` launcher runs with (surefire itself runs with -Xss16m)
            Thread t = new Thread(null, r, "front-end-under-test", 1L << 20);
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void tearDown() throws IOException {
        worker.shutdownNow();
        Files.deleteIfExists(baseDir);
    }

    // ------------------------------------------------------------------------------------------ properties

    @Test
    void mutatedRuleFilesNeverBreakTheFrontEnd() {
        theory().withExamples(6000).forAll(longs().all()).checkAssert(seed -> {
            Random rnd = new Random(seed);
            byte[] bytes = seeds.get(rnd.nextInt(seeds.size()));
            int rounds = 1 + rnd.nextInt(4);
            for (int i = 0; i < rounds; i++) {
                bytes = mutate(bytes, rnd);
            }
            frontEndLaw(bytes, rnd.nextBoolean() ? "m.engram" : "m.vnnlib");
        });
    }

    @Test
    void garbageNeverBreaksTheFrontEnd() {
        theory().withExamples(3000).forAll(longs().all(), integers().between(0, 2)).checkAssert((seed, kind) -> {
            Random rnd = new Random(seed);
            byte[] bytes = switch (kind) {
                case 0 -> randomBytes(rnd, rnd.nextInt(400));
                case 1 -> tokenSoup(rnd, rnd.nextInt(120));
                default -> controlSoup(rnd, rnd.nextInt(300));
            };
            frontEndLaw(bytes, "g.engram");
        });
    }

    @Test
    void mutatedVnnlibNeverBreaksTheFrontEnd() {
        theory().withExamples(1500).forAll(longs().all()).checkAssert(seed -> {
            Random rnd = new Random(seed);
            byte[] bytes = VNNLIB_SEEDS[rnd.nextInt(VNNLIB_SEEDS.length)].getBytes(StandardCharsets.UTF_8);
            int rounds = 1 + rnd.nextInt(4);
            for (int i = 0; i < rounds; i++) {
                bytes = mutate(bytes, rnd);
            }
            frontEndLaw(bytes, "v.vnnlib");
        });
    }

    @Test
    void extremeInputsNeverBreakTheFrontEnd() {
        String decl = "input x at 0 in [0, 10]\noutput y at 0\noutput z at 1\ndecide argmax\n";
        List<String> cases = new ArrayList<>(List.of(
                decl + "rule r: when x >= 1e999999 then y >= 0\n",
                decl + "rule r: when x >= " + "9".repeat(400) + " then y >= 0\n",
                decl + "rule r: when x >= 1 then y >= 0 margin " + "9".repeat(400) + ".5\n",
                "input x at " + "9".repeat(400) + " in [0, 1]\n",
                "input x at 2147483647 in [0, 1]\noutput y at 2147483647\nrule r: when x > 0 then y > 0\n",
                "input x at 999999 in [0, 1]\noutput y at 999999\nrule r: when x > 0 then y > 0\n",
                "input c at 2147483646 one of {a, b, c}\nrule r: when c is a then y > 0\n",
                "concept c from \"d.csv\" at layer " + "7".repeat(400) + "\nerase c at layer 99999999999\n",
                decl + "rule r: when " + "(".repeat(5000) + "x > 1" + ")".repeat(5000) + " then y > 0\n",
                decl + "rule r: when " + "not ".repeat(5000) + "x > 1 then y > 0\n",
                decl + "rule r: when " + "not (".repeat(3000) + "x > 1" + ")".repeat(3000) + " then y > 0\n",
                decl + "rule r: when x > " + "-".repeat(5000) + "1 then y > 0\n",
                decl + "rule r: when x > 1 then " + "(".repeat(3000) + "y > 0" + ")".repeat(3000) + "\n",
                decl + "rule r: when x > 1 then y is " + "not ".repeat(3000) + "the decision\n",
                decl + "rule r: when x > 0 " + "and x > 0 ".repeat(15_000) + "then y > 0\n",
                decl + "rule r: when x > 0 " + "or x > 0 ".repeat(10_000) + "then y > 0\n",
                decl + "rule r: when x > 0 then y > 0 " + "and y > 0 ".repeat(10_000) + "\n",
                decl + "rule r: when x > 0 then y > 0 " + "or z > 0 ".repeat(15_000) + "\n",
                decl + "rule r: when x " + "+ x ".repeat(30_000) + "> 1 then y > 0\n",
                decl + "rule r: when x > 1 then y " + "- 2 * z ".repeat(10_000) + "> 1\n",
                "// " + "c".repeat(1_100_000) + "\n" + decl,
                "model \"" + "p".repeat(100_000) + "\"\n",
                "input " + "x".repeat(1_100_000) + " at 0 in [0, 1]\n",
                decl + "rule r: when x > 1" + "1".repeat(1_100_000) + " then y > 0\n",
                "$".repeat(100_000),
                "(".repeat(100_000),
                "concept c := " + "c and ".repeat(20_000) + "c\n",
                "import vnnlib \"a\u0000b.vnnlib\" as property\nimport vnnlib \"\" as rule r\n",
                "concept c from \"\u0000\" at layer 1\nerase c at layer 1\n",
                "(declare-const X_0 Real)(declare-const Y_0 Real)(assert " + "(and ".repeat(100_000) + "(<= X_0 1)"
                        + ")".repeat(100_000) + ")",
                "(declare-const X_99999999999999 Real)(declare-const Y_0 Real)(assert (<= X_99999999999999 1))",
                "(declare-const X_2000000000 Real)(declare-const Y_0 Real)(assert (<= X_2000000000 1))",
                "(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= X_0 1e999999))",
                "(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= X_0 " + "9".repeat(400) + "))",
                "(declare-const X_0 Real)(declare-const Y_0 Real)(assert (or "
                        + "(and (<= Y_0 1) (>= X_0 0)) ".repeat(20_000) + "))",
                "(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= (+ " + "X_0 ".repeat(60_000) + ") 1))"));
        byte[] invalid = {(byte) 0xC0, (byte) 0xFF, (byte) 0x80, (byte) 0xED, (byte) 0xA0, (byte) 0x80, 0, 7, 0x1b};
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        for (int i = 0; i < 120_000; i++) {
            big.writeBytes(invalid);
        }
        cases.add(new String(big.toByteArray(), StandardCharsets.ISO_8859_1));
        for (int i = 0; i < cases.size(); i++) {
            String c = cases.get(i);
            frontEndLaw(c.getBytes(i == cases.size() - 1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8), "x.engram");
        }
    }

    // ------------------------------------------------------------------------------------------ the law

    /** Runs every front-end entry point on {@code bytes} under a time limit and checks what comes back. */
    private static void frontEndLaw(byte[] bytes, String path) {
        Future<?> f = worker.submit(() -> {
            SourceFile src = SourceFile.fromBytes(path, bytes);
            // exactly what `engram check` does for a rule file: parse, then check the AST when there is one
            Diagnosed<RuleFile> parsed = RuleParser.parse(src);
            assertNotNull(parsed);
            assertEquals(parsed.hasErrors(), parsed.value().isEmpty(), "an AST exactly when there are no errors");
            validDiagnostics(parsed.diagnostics(), src);
            if (parsed.value().isPresent()) {
                // `engram fmt` prints the AST; the printed text must parse back without errors
                String printed = AstPrinter.print(parsed.value().get());
                assertFalse(RuleParser.parse(new SourceFile(path, printed)).hasErrors(), "fmt output does not parse");
                Diagnosed<CheckedProgram> checked = Checker.check(parsed.value().get(), path, new CheckOptions(
                        java.util.OptionalInt.of(7), java.util.OptionalInt.of(5), baseDir));
                assertNotNull(checked);
                assertEquals(checked.hasErrors(), checked.value().isEmpty(), "a program exactly when there are no errors");
                validDiagnostics(checked.diagnostics(), src);
            }
            // and for a VNN-LIB file: parse (VnnlibParser), convert to properties, report
            VnnlibFile vf = VnnlibFile.of(src, -1, -1);
            assertNotNull(vf);
            if (!vf.ok()) {
                assertTrue(vf.properties().isEmpty(), "no properties from a VNN-LIB file with errors");
            }
            validDiagnostics(vf.diagnostics(), src);
            return null;
        });
        try {
            f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            worker.shutdownNow();
            worker = newWorker(); // the stuck thread cannot be stopped; later inputs get a fresh one
            fail("front end did not return within " + TIMEOUT_SECONDS + " s on " + describe(bytes));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AssertionError a) {
                throw new AssertionError(a.getMessage() + " on " + describe(bytes), a);
            }
            throw new AssertionError("front end threw " + cause + " on " + describe(bytes), cause);
        }
    }

    private static void validDiagnostics(List<Diagnostic> ds, SourceFile src) {
        if (ds.isEmpty()) {
            return;
        }
        int lines = 1;
        for (int i = src.text().indexOf('\n'); i >= 0; i = src.text().indexOf('\n', i + 1)) {
            lines++;
        }
        for (Diagnostic d : ds) {
            assertNotNull(d.code(), d.toString());
            assertNotNull(d.severity(), d.toString());
            assertNotNull(d.span(), d.toString());
            assertFalse(d.message() == null || d.message().isBlank(), d.toString());
            assertEquals(src.path(), d.span().file(), d.toString());
            int line = d.span().start().line();
            int col = d.span().start().column();
            assertTrue(line >= 1 && line <= lines, "line out of file: " + d);
            assertTrue(col >= 1 && col <= src.lineLength(line) + 2, "column out of line: " + d);
            assertTrue(d.span().end().compareTo(d.span().start()) >= 0, "span ends before it starts: " + d);
            String text = DiagnosticRenderer.text(d, src);
            assertTrue(text.contains("[" + d.code().id() + "]"), text);
            assertTrue(DiagnosticRenderer.json(d).startsWith("{"));
        }
    }

    // ------------------------------------------------------------------------------------------ generators

    private static byte[] mutate(byte[] in, Random rnd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 64);
        int at = in.length == 0 ? 0 : rnd.nextInt(in.length + 1);
        switch (rnd.nextInt(11)) {
            case 0 -> { // flip bits of one byte
                byte[] c = in.clone();
                if (c.length > 0) {
                    c[Math.min(at, c.length - 1)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return c;
            }
            case 1 -> { // insert random bytes
                out.write(in, 0, at);
                out.writeBytes(randomBytes(rnd, 1 + rnd.nextInt(8)));
                out.write(in, at, in.length - at);
            }
            case 2 -> { // delete a range
                int len = Math.min(in.length - at, 1 + rnd.nextInt(40));
                out.write(in, 0, at);
                out.write(in, at + len, in.length - at - len);
            }
            case 3 -> { // splice: prefix of this file, suffix of another
                byte[] other = seeds.get(rnd.nextInt(seeds.size()));
                int from = other.length == 0 ? 0 : rnd.nextInt(other.length + 1);
                out.write(in, 0, at);
                out.write(other, from, other.length - from);
            }
            case 4 -> { // insert a token from the vocabulary
                out.write(in, 0, at);
                out.writeBytes((" " + VOCABULARY[rnd.nextInt(VOCABULARY.length)] + " ").getBytes(StandardCharsets.UTF_8));
                out.write(in, at, in.length - at);
            }
            case 5 -> { // duplicate a token
                return tokens(in, rnd, true);
            }
            case 6 -> { // swap two tokens
                return tokens(in, rnd, false);
            }
            case 7 -> { // a huge or odd number
                String[] nums = {"1e999999", "9".repeat(400), "-1e-999999", "2147483648", "0.0000", "00", "1e", ".e5",
                    "1.7976931348623159e308", "4.9e-325"};
                out.write(in, 0, at);
                out.writeBytes((" " + nums[rnd.nextInt(nums.length)] + " ").getBytes(StandardCharsets.UTF_8));
                out.write(in, at, in.length - at);
            }
            case 8 -> { // invalid UTF-8, NUL, control characters
                byte[][] bad = {{(byte) 0xC0, (byte) 0xAF}, {(byte) 0xFF}, {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
                    {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {0}, {7}, {0x1b, '['}, {0x7f}, {'\r'}, {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                    {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}};
                out.write(in, 0, at);
                out.writeBytes(bad[rnd.nextInt(bad.length)]);
                out.write(in, at, in.length - at);
            }
            case 9 -> { // nesting burst
                String open = rnd.nextBoolean() ? "(" : rnd.nextBoolean() ? "not " : "- ";
                out.write(in, 0, at);
                out.writeBytes(open.repeat(1 + rnd.nextInt(300)).getBytes(StandardCharsets.UTF_8));
                out.write(in, at, in.length - at);
            }
            default -> { // duplicate a whole region (a statement repeated, a declaration twice)
                int len = Math.min(in.length - at, rnd.nextInt(200));
                out.write(in, 0, at + len);
                out.write(in, at, in.length - at);
            }
        }
        return out.toByteArray();
    }

    /** Duplicates one whitespace-separated token, or swaps two. */
    private static byte[] tokens(byte[] in, Random rnd, boolean duplicate) {
        String s = new String(in, StandardCharsets.ISO_8859_1);
        String[] parts = s.split("(?<=\\s)|(?=\\s)");
        if (parts.length < 2) {
            return in;
        }
        List<String> list = new ArrayList<>(List.of(parts));
        int i = rnd.nextInt(list.size());
        if (duplicate) {
            list.add(i, list.get(i) + " ");
        } else {
            int j = rnd.nextInt(list.size());
            String t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
        return String.join("", list).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] tokenSoup(Random rnd, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(VOCABULARY[rnd.nextInt(VOCABULARY.length)]).append(rnd.nextInt(4) == 0 ? "" : " ");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] controlSoup(Random rnd, int n) {
        byte[] b = new byte[n];
        String printable = "ab_09 ()[]{}:=<>-+*/.,\"#;\n";
        for (int i = 0; i < n; i++) {
            int k = rnd.nextInt(4);
            b[i] = k == 0 ? (byte) rnd.nextInt(0x20) : k == 1 ? (byte) (0x80 + rnd.nextInt(0x80))
                    : (byte) printable.charAt(rnd.nextInt(printable.length()));
        }
        return b;
    }

    private static String describe(byte[] bytes) {
        String s = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.UTF_8);
        return bytes.length + " bytes: " + DiagnosticRenderer.jsonString(s) + (bytes.length > 300 ? "..." : "");
    }
}
