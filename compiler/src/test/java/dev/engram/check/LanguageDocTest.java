package dev.engram.check;

import dev.engram.ir.Decision;

import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.model.DenseNetworks;
import dev.engram.model.onnx.OnnxModel;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.diag.DiagnosticRenderer;
import dev.engram.front.VnnlibFile;
import dev.engram.source.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the diagnostic catalogue of {@code docs/language.md} complete and true: every {@link DiagnosticCode}
 * has an entry, and every entry's example file, checked exactly as {@code engram check} checks it, produces the
 * diagnostics printed under it (compared by their header lines {@code file:line:col: severity[CODE]: message},
 * and by the code the entry is about).
 */
class LanguageDocTest {
    /** {@code #### E010 — title}, then a fenced example named in backquotes, then the fenced output. */
    private static final Pattern ENTRY = Pattern.compile(
            "^#### ([EW]\\d{3}) — (.*?)\\n(.*?)`([^`]+\\.(?:engram|vnnlib))`:\\n\\n```(?:engram|vnnlib)\\n(.*?)```\\n\\n"
                    + "`engram (check|compile) ([^`]+)` \\(exit (\\d)\\):\\n\\n```text\\n(.*?)```",
            Pattern.MULTILINE | Pattern.DOTALL);

    @TempDir
    static Path dir;

    private static String doc() throws IOException {
        return Files.readString(Path.of("../docs/language.md"), StandardCharsets.UTF_8);
    }

    /**
     * The catalogue entries by code: title, example file name, example text, exit code, printed output, command
     * (check or compile), its arguments.
     */
    private static Map<String, String[]> entries() throws IOException {
        Map<String, String[]> out = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(doc());
        while (m.find()) {
            String[] prev = out.put(m.group(1), new String[] {m.group(2), m.group(4), m.group(5), m.group(8), m.group(9),
                    m.group(6), m.group(7)});
            assertEquals(null, prev, "two catalogue entries for " + m.group(1));
        }
        return out;
    }

    @Test
    void everyDiagnosticCodeHasACatalogueEntry() throws IOException {
        Map<String, String[]> entries = entries();
        List<String> missing = new ArrayList<>();
        for (DiagnosticCode c : DiagnosticCode.values()) {
            String[] e = entries.get(c.id());
            if (e == null) {
                missing.add(c.id());
            } else {
                assertEquals(c.title(), e[0], "catalogue title of " + c.id());
            }
        }
        assertEquals(List.of(), missing, "codes without an entry in docs/language.md");
        for (String code : entries.keySet()) {
            assertTrue(Stream.of(DiagnosticCode.values()).anyMatch(c -> c.id().equals(code)),
                    "docs/language.md documents " + code + ", which does not exist");
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCatalogueExampleProducesItsDiagnostics() throws IOException {
        Map<String, String[]> entries = entries();
        assertFalse(entries.isEmpty());
        return entries.entrySet().stream().map(en -> DynamicTest.dynamicTest(en.getKey(), () -> {
            String code = en.getKey();
            String file = en.getValue()[1];
            String text = en.getValue()[2];
            int exit = Integer.parseInt(en.getValue()[3]);
            String printed = en.getValue()[4];
            SourceFile src = new SourceFile(file, text);
            List<Diagnostic> ds;
            if (en.getValue()[5].equals("compile")) {
                Path folder = Files.createDirectories(dir.resolve(code));
                int[] exitCode = {0};
                ds = compile(src, folder, timeout(en.getValue()[6]), exitCode);
                assertTrue(ds.stream().anyMatch(d -> d.code().id().equals(code)), code + " example gives " + ds);
                assertEquals(exitCode[0], exit, "documented exit code");
                // compare positions and codes (messages carry run-dependent numbers)
                assertEquals(prefixes(headers(printed, file)), prefixes(headers(DiagnosticRenderer.text(ds, src), file)),
                        "printed diagnostics of the " + code + " example");
                return;
            }
            if (file.endsWith(".vnnlib")) {
                ds = VnnlibFile.of(src, -1, -1).diagnostics();
            } else {
                Path folder = Files.createDirectories(dir.resolve(code));
                ds = Checker.check(src, new CheckOptions(OptionalInt.empty(), OptionalInt.empty(), folder)).diagnostics();
            }
            assertTrue(ds.stream().anyMatch(d -> d.code().id().equals(code)), code + " example gives " + ds);
            assertEquals(ds.stream().anyMatch(Diagnostic::isError) ? 1 : 0, exit, "documented exit code");
            List<String> want = headers(printed, file);
            List<String> got = headers(DiagnosticRenderer.text(ds, src), file);
            assertEquals(want, got, "printed diagnostics of the " + code + " example");
            long errors = ds.stream().filter(Diagnostic::isError).count();
            assertTrue(printed.endsWith("1 file checked: " + errors + " error(s), " + (ds.size() - errors) + " warning(s)\n"),
                    "summary line of the " + code + " example");
        }));
    }

    /**
     * Every {@code engram} example of the language sections that uses a learned concept compiles, on the generated
     * {@code shapes.onnx} and its images, with every statement measured (rules, erasure) or exact (steering).
     */
    @TestFactory
    Stream<DynamicTest> everyConceptExampleCompiles() throws IOException {
        String doc = doc();
        String language = doc.substring(0, doc.indexOf("## 8. Diagnostics"));
        Matcher m = Pattern.compile("```engram\\n(.*?)```", Pattern.DOTALL).matcher(language);
        List<String> examples = new ArrayList<>();
        while (m.find()) {
            if (m.group(1).contains(" from \"shapes/")) {
                examples.add(m.group(1));
            }
        }
        assertFalse(examples.isEmpty(), "docs/language.md has concept examples");
        Path folder = Files.createDirectories(dir.resolve("concepts"));
        dev.engram.dict.ConceptFixtures.create(folder);
        return examples.stream().map(text -> DynamicTest.dynamicTest(text.lines().filter(l -> l.startsWith("rule")
                || l.startsWith("erase") || l.startsWith("steer")).findFirst().orElse("example"), () -> {
            CompileResult r = Compiler.compile(CompileRequest.builder().optRules(new SourceFile("concepts.engram",
                    text), folder).optOut(folder.resolve("out.onnx")).optFidelitySamples(100).build());
            assertEquals(0, r.outcome().exitCode(), r.diagnostics() + " " + r.rules());
            assertFalse(r.rules().isEmpty());
            assertTrue(r.rules().stream().allMatch(rr -> rr.method().startsWith("measured")
                    || rr.method().startsWith("exact")), r.rules().toString());
        }));
    }

    /** The {@code --timeout} of a documented command line, else 20 s. */
    private static double timeout(String arguments) {
        Matcher m = Pattern.compile("--timeout (\\S+)").matcher(arguments);
        return m.find() ? Double.parseDouble(m.group(1)) : 20;
    }

    /** What {@code engram compile} reports for {@code src} in {@code folder} (with the generated example models). */
    private static List<Diagnostic> compile(SourceFile src, Path folder, double timeout, int[] exit)
            throws IOException {
        example(folder.resolve("tiny.onnx"), 2);
        example(folder.resolve("shallow.onnx"), 1);
        example(folder.resolve("linear.onnx"), 0);
        example(folder.resolve("sigmoid.onnx"), -1);
        CompileResult r = Compiler.compile(CompileRequest.builder().optRules(src, folder).optFidelitySamples(100)
                .optTimeout(timeout).build());
        exit[0] = r.outcome().exitCode();
        return new ArrayList<>(r.diagnostics());
    }

    /**
     * The documented example models: 2 inputs, {@code hidden} (0 to 2) ReLU layers of 8 units, 2 outputs (seeded);
     * {@code hidden = -1}: one hidden layer of 8 sigmoid units.
     */
    static void example(Path file, int hidden) {
        int[] widths = hidden == 2 ? new int[] {2, 8, 8, 2} : hidden != 0 ? new int[] {2, 8, 2} : new int[] {2, 2};
        dev.engram.model.DenseNetwork net = DenseNetworks.random(new Random(1), "fc", 0.1, widths);
        if (hidden < 0) {
            dev.engram.model.DenseLayer h = net.layers().get(0);
            net = new dev.engram.model.DenseNetwork(List.of(dev.engram.model.DenseLayer.of(h.name(), h.weight(),
                    h.bias(), dev.engram.model.Activation.SIGMOID), net.layers().get(1)));
        }
        OnnxModel.fromDense(net, "x", "y", true, Map.of()).write(file);
    }

    private static List<String> prefixes(List<String> headers) {
        return headers.stream().map(h -> h.substring(0, h.indexOf("]: ") + 1)).toList();
    }

    private static List<String> headers(String printed, String file) {
        return printed.lines().filter(l -> l.startsWith(file + ":")).toList();
    }
}
