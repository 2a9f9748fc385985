package dev.engram.vnnlib;

import dev.engram.diag.Diagnosed;
import dev.engram.diag.Diagnostic;
import dev.engram.source.SourceFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The VNN-LIB front end: values built from well-formed text, exact codes and positions for malformed text. */
class VnnlibParserTest {

    static Diagnosed<VnnlibSpec> parse(String text) {
        return VnnlibParser.parse(new SourceFile("p.vnnlib", text));
    }

    @Test
    void parsesDeclarationsBoundsAndDisjunctions() {
        Diagnosed<VnnlibSpec> r = parse("""
                ; a comment
                (declare-const X_0 Real)
                (declare-const Y_0 Real)
                (declare-const Y_1 Real)
                (assert (<= X_0 0.5))
                (assert (>= X_0 -1e-1))
                (assert (or (and (<= Y_0 Y_1)) (and (>= (+ Y_0 (* 2 Y_1)) 3.5))))
                """);
        assertTrue(r.diagnostics().isEmpty(), r.diagnostics().toString());
        VnnlibSpec s = r.value().orElseThrow();
        assertEquals(3, s.declarations().size());
        assertEquals(3, s.assertions().size());
        VnnlibSpec.Comparison c = (VnnlibSpec.Comparison) s.assertions().get(1);
        assertEquals(VnnlibSpec.Relation.GE, c.relation());
        assertEquals(0.1, c.constant(), 1e-15); // X_0 - (-0.1) >= 0
        VnnlibSpec.Or or = (VnnlibSpec.Or) s.assertions().get(2);
        VnnlibSpec.Comparison lin = (VnnlibSpec.Comparison) ((VnnlibSpec.And) or.operands().get(1)).operands().get(0);
        assertEquals(1.0, lin.coefficients().get("Y_0"));
        assertEquals(2.0, lin.coefficients().get("Y_1"));
        assertEquals(-3.5, lin.constant());
        assertEquals(7, c.span().start().line() + 1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing paren        | (declare-const X_0 Real)\\n(assert (<= X_0 1)           | E090 | 2:19",
            "unknown keyword      | (declare-const X_0 Real)\\n(asert (<= X_0 1))           | E090 | 2:8",
            "stray character      | (declare-const X_0 Real)\\n(assert (<= X_0 #1))         | E090 | 2:17",
            "undeclared           | (declare-const X_0 Real)\\n(assert (<= X_1 1))          | E092 | 2:13",
            "declared twice       | (declare-const X_0 Real)\\n(declare-const X_0 Real)     | E092 | 2:1",
            "negation             | (declare-const X_0 Real)\\n(assert (not (<= X_0 1)))    | E091 | 2:9",
            "product of variables | (declare-const X_0 Real)\\n(assert (<= (* X_0 X_0) 1)) | E091 | 2:13",
            "integer sort         | (declare-const X_0 Int)                                 | E091 | 1:1",
            "huge number          | (declare-const X_0 Real)\\n(assert (<= X_0 1e999))      | E091 | 2:17",
            "unknown command      | (push)                                                  | E091 | 1:1",
    })
    void malformedInputGetsExactCodeAndPosition(String name, String text, String code, String at) {
        Diagnosed<VnnlibSpec> r = parse(text.replace("\\n", "\n"));
        assertTrue(r.hasErrors(), name);
        assertTrue(r.value().isEmpty());
        Diagnostic d = r.diagnostics().get(0);
        assertEquals(code, d.code().id(), name + ": " + d);
        assertEquals(at, d.span().start().toString(), name + ": " + d);
    }

    @Test
    void deepNestingIsReportedNotRecursed() {
        String deep = "(declare-const X_0 Real)(assert " + "(and ".repeat(100_000) + "(<= X_0 1)"
                + ")".repeat(100_000) + ")";
        Diagnosed<VnnlibSpec> r = parse(deep);
        assertEquals("E091", r.diagnostics().get(0).code().id());
    }

    @Test
    void randomBytesAndMutationsNeverThrow() {
        Random rnd = new Random(7);
        String base = "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (<= X_0 1))\n"
                + "(assert (>= X_0 0))\n(assert (or (and (<= Y_0 0.5)) (and (>= Y_0 2))))\n";
        for (int n = 0; n < 3000; n++) {
            String text;
            if (n % 3 == 0) {
                byte[] b = new byte[rnd.nextInt(200)];
                rnd.nextBytes(b);
                text = new String(b, StandardCharsets.ISO_8859_1);
            } else {
                StringBuilder sb = new StringBuilder(base);
                for (int m = 0; m < 1 + rnd.nextInt(4); m++) {
                    int at = rnd.nextInt(sb.length() + 1);
                    switch (rnd.nextInt(3)) {
                        case 0 -> sb.insert(at, "()<=-.e9XY_ and or".charAt(rnd.nextInt(18)));
                        case 1 -> {
                            if (at < sb.length()) {
                                sb.deleteCharAt(at);
                            }
                        }
                        default -> sb.insert(at, "9".repeat(rnd.nextInt(400)));
                    }
                }
                text = sb.toString();
            }
            Diagnosed<VnnlibSpec> r = parse(text);
            assertFalse(r.value().isPresent() && r.hasErrors());
        }
    }
}
