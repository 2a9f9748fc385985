package dev.engram.api;

import dev.engram.CheckReport;
import dev.engram.Engram;
import dev.engram.TinyLoan;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Outcome;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.source.SourceFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.engram.api.Conditions.and;
import static dev.engram.api.Conditions.gt;
import static dev.engram.api.Conditions.is;
import static dev.engram.api.Conditions.lt;
import static dev.engram.api.Conditions.notDecision;
import static dev.engram.api.Conditions.x;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rules built in Java are the rule file they print as: same checks, same IR, same compiled model. */
class RulesTest {
    static final String FILE = TinyLoan.DECLARATIONS + """
            rule no_minors: when age < 18 then approve is not the decision
            rule poor_women_rejected: when sex is female and income < 1000 then reject - approve >= 0.01 using repair
            ignore sex
            """;

    static Rules built() {
        return Rules.builder("loan")
                .input("age", 0, 100, "years").input("income", 0, 200000, "EUR").categorical("sex", "female", "male")
                .normalize("age", 50, 100).normalize("income", 100000, 200000)
                .output("approve").output("reject").decideArgmax()
                .rule("no_minors").when(lt("age", 18)).then(notDecision("approve"))
                .rule("poor_women_rejected").when(and(is("sex", "female"), lt("income", 1000)))
                .then(x("reject").minus(x("approve")).ge(0.01)).usingRepair()
                .ignore("sex")
                .build();
    }

    static Path model(Path dir) {
        return TinyLoan.writeModel(dir.resolve("loan.onnx"));
    }

    @Test
    void compilesToTheSameModelAsTheRuleFile(@TempDir Path dir) {
        Path model = model(dir);
        Rules rules = built();
        assertTrue(rules.ok(), rules.diagnostics().toString());
        CompileResult fromJava = Engram.compile(model, rules);
        CompileResult fromText = Engram.compile(CompileRequest.builder().setModel(model)
                .optRules(new SourceFile("loan.engram", FILE), dir).build());
        assertEquals(Outcome.OK, fromJava.outcome(), fromJava.diagnostics().toString());
        assertEquals(fromText.rules().stream().map(r -> r.name() + "/" + r.strategy()).toList(),
                fromJava.rules().stream().map(r -> r.name() + "/" + r.strategy()).toList());
        assertEquals(fromText.patched().sha256(), fromJava.patched().sha256(), "the same weights, bit for bit");
    }

    @Test
    void checkerFindingsComeAtSyntheticPositions() {
        Rules rules = Rules.builder("r").input("age", 0, 100).output("approve").output("reject")
                .rule("r1").when(gt("age", 200)).then(notDecision("approve")).build();
        CheckReport report = Engram.check(rules);
        Diagnostic d = report.files().get(0).diagnostics().get(0);
        assertEquals(DiagnosticCode.E020, d.code(), d.toString());
        assertEquals("<api:r>", d.span().file());
        assertTrue(rules.source().line(d.span().start().line()).contains("approve is not the decision"),
                rules.text());
    }

    @Test
    void whatCannotBeWrittenIsADiagnosticNotAnException(@TempDir Path dir) {
        Rules rules = Rules.builder("bad")
                .input("my age", 0, 100)
                .input("rule", 0, 1)
                .input("ok", 0, Double.NaN)
                .output("approve").output("reject").decideArgmax()
                .usingRepair()
                .rule("r; ignore x").when(lt("age\nrule evil: when", 1)).then(notDecision("approve"))
                .build();
        assertFalse(rules.ok());
        List<String> messages = rules.diagnostics().stream().map(Diagnostic::message).toList();
        assertEquals(6, messages.size(), messages.toString());
        assertTrue(messages.get(0).contains("'my age' is not a name"), messages.get(0));
        assertTrue(messages.get(1).contains("'rule' is not a name"), messages.get(1));
        assertTrue(messages.get(2).contains("NaN is not a finite number"), messages.get(2));
        assertTrue(messages.get(3).contains("usingRepair() must follow the rule"), messages.get(3));
        for (Diagnostic d : rules.diagnostics()) {
            assertEquals(DiagnosticCode.E002, d.code());
            assertTrue(rules.source().line(d.span().start().line()).startsWith("// not written"), d.toString());
        }
        assertFalse(rules.text().contains("evil"), "nothing unwritable reaches the text");
        CompileResult r = Engram.compile(model(dir), rules);
        assertEquals(Outcome.REJECTED, r.outcome());
        assertEquals(rules.diagnostics(), r.diagnostics());
    }
}
