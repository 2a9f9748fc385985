package dev.engram.parse;

import dev.engram.diag.Diagnosed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.ast.Consequent;
import dev.engram.ast.Premise;
import dev.engram.ast.RuleFile;
import dev.engram.ast.Statement;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.source.SourceFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleParserTest {

    static Path examples() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("examples"))) {
            p = p.getParent();
        }
        return p == null ? Path.of("examples") : p.resolve("examples");
    }

    @Test
    void parsesAcasExampleWithDocsAndStatements() throws Exception {
        Path f = examples().resolve("acasxu/repair-n29.engram");
        String text = Files.readString(f);
        Diagnosed<RuleFile> r = RuleParser.parse(new SourceFile(f.toString(), text));
        assertEquals(List.of(), r.diagnostics());
        RuleFile file = r.value().orElseThrow();
        List<Statement.PropertyStmt> props = Statement.ofKind(file.statements(), Statement.PropertyStmt.class);
        assertEquals(List.of("p1_coc_bounded", "p3_head_on_not_coc", "p4_ahead_slower_not_coc"),
                props.stream().map(p -> p.name().text()).toList());
        assertTrue(props.get(0).doc().startsWith("Property 1: if the intruder"));
        assertTrue(props.get(0).doc().contains("\n"));
        Statement.RuleStmt rule = Statement.ofKind(file.statements(), Statement.RuleStmt.class).get(0);
        assertTrue(rule.then() instanceof Consequent.Or);
        Statement.PropertyStmt p3 = props.get(1);
        assertTrue(p3.over() instanceof Premise.And);
        int line = text.substring(0, text.indexOf("property p3_head_on_not_coc")).split("\n", -1).length;
        assertEquals(line, p3.span().start().line());
        // round trip through the printer is stable
        String printed = AstPrinter.print(file);
        Diagnosed<RuleFile> again = RuleParser.parse(new SourceFile("again", printed));
        assertEquals(List.of(), again.diagnostics());
        assertEquals(printed, AstPrinter.print(again.value().orElseThrow()));
    }

    @Test
    void reportsAllSyntaxErrorsWithPositions() {
        String text = "input x at 0 in [0, 1]\nrule r: when x <= then x is the decision\noutput y at\nrule q: when x >= 1 then y >= 2\n";
        Diagnosed<RuleFile> r = RuleParser.parse(new SourceFile("t.engram", text));
        assertFalse(r.value().isPresent());
        List<Diagnostic> ds = r.diagnostics();
        assertTrue(ds.size() >= 2, ds.toString());
        assertEquals(DiagnosticCode.E002, ds.get(0).code());
        assertEquals(2, ds.get(0).span().start().line());
        assertEquals(19, ds.get(0).span().start().column());
        assertTrue(ds.stream().anyMatch(d -> d.span().start().line() == 4), ds.toString());
    }

    @Test
    void lexerErrorsAreE001() {
        Diagnosed<RuleFile> r = RuleParser.parse(new SourceFile("t.engram", "input x at 0 in [0, 1] $\n"));
        assertEquals(DiagnosticCode.E001, r.diagnostics().get(0).code());
        assertEquals(24, r.diagnostics().get(0).span().start().column());
    }

    @Test
    void deepNestingIsADiagnostic() {
        String text = "concept c := " + "(".repeat(100_000) + "x > 1" + ")".repeat(100_000);
        Diagnosed<RuleFile> r = RuleParser.parse(new SourceFile("t.engram", text));
        assertEquals(DiagnosticCode.E003, r.diagnostics().get(0).code());
    }

    @Test
    void unterminatedBlockCommentIsE001AtItsStart() {
        String text = "input x at 0 in [0, 1]\n  /* never closed\noutput y at 0\n";
        Diagnosed<RuleFile> r = RuleParser.parse(new SourceFile("t.engram", text));
        assertEquals(1, r.diagnostics().size(), r.diagnostics().toString());
        Diagnostic d = r.diagnostics().get(0);
        assertEquals(DiagnosticCode.E001, d.code());
        assertEquals("unterminated block comment", d.message());
        assertEquals(2, d.span().start().line());
        assertEquals(3, d.span().start().column());
        assertEquals(List.of(), RuleParser.parse(new SourceFile("t.engram", "input x at 0 in [0, 1] /* closed */\n"))
                .diagnostics());
    }
}
