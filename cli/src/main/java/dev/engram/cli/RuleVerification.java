package dev.engram.cli;

import dev.engram.compile.CompileDiagnostics;
import dev.engram.compile.ObligationVerifier;
import dev.engram.compile.ProgramToObligations;
import dev.engram.compile.RuleCompiler;
import dev.engram.compile.Units;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.diag.DiagnosticRenderer;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.source.SourceFile;
import dev.engram.verify.Verdict;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code engram verify --model M --rules R.engram}: checks every rule, property and {@code ignore} of a rule file on
 * a model as it is (nothing is compiled). One line per statement; a violated one is reported as a diagnostic at its
 * source position with the counterexample in the rule file's real units. Statements that cannot be verified yet
 * (monotone, erase, steer) are noted and skipped. Exit 0 when all hold, 3 when any is violated, 1 when some could
 * not be decided, 2 for bad input.
 */
final class RuleVerification {
    private RuleVerification() {
    }

    static int run(Path model, Path rules, double timeout) {
        SourceFile source;
        try {
            source = SourceFiles.read(rules);
        } catch (IOException e) {
            System.err.println("engram verify: cannot read " + rules + ": " + e.getMessage());
            return 2;
        }
        RuleCompiler.Front front = RuleCompiler.front(source, rules.toAbsolutePath().getParent(),
                Optional.ofNullable(model), 0.01);
        boolean errors = false;
        for (Diagnostic d : front.diagnostics()) {
            if (d.code() == DiagnosticCode.E060) {
                System.err.println(d.span() + ": note: not verified: " + d.message());
            } else {
                errors |= d.isError();
                System.err.print(DiagnosticRenderer.text(d, source));
            }
        }
        if (errors || front.translation().isEmpty()) {
            return front.model().isEmpty() && !errors ? 2 : 1;
        }
        ProgramToObligations.Translation t = front.translation().get();
        DenseNetwork net = Models.load(front.model().get()).dense();
        Units units = t.units();
        int violated = 0;
        int undecided = 0;
        for (Obligation ob : t.obligations()) {
            if (ob instanceof Obligation.Steer) {
                continue;
            }
            Verdict v = ObligationVerifier.verify(net, ob, t.domain(), timeout);
            String word = v instanceof Verdict.Unsat ? "holds" : v instanceof Verdict.Sat ? "violated" : v.word();
            System.out.printf(Locale.ROOT, "%-9s %8.3f s  %-8s %s (%s)%n", word, v.seconds(), ob.kind(), ob.name(),
                    ob.span());
            if (v instanceof Verdict.Sat) {
                violated++;
                System.err.print(DiagnosticRenderer.text(CompileDiagnostics.doesNotHold(ob.name(), ob.span(), v, ob,
                        units, front.model().get().getFileName().toString(), "enforce it with 'engram compile'"), source));
            } else if (!(v instanceof Verdict.Unsat)) {
                undecided++;
            }
        }
        return violated > 0 ? 3 : undecided > 0 ? 1 : 0;
    }

}
