package dev.engram;

import dev.engram.compile.Outcome;
import dev.engram.diag.Diagnostic;
import dev.engram.ir.Units;
import dev.engram.source.SourceFile;
import dev.engram.source.Span;
import dev.engram.verify.Verdict;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of a verification: how it ended, the diagnostics (with the sources to show them against: a violated
 * rule is an {@code E061} at its position, with the counterexample in real units; statements that cannot be checked
 * are notes), a message where no diagnostic fits, and one verdict per statement checked.
 *
 * @param notChecked statements that could not be checked ({@code E060} notes)
 */
public record VerifyResult(Outcome outcome, Optional<String> message, List<Diagnostic> diagnostics,
                           List<SourceFile> sources, Optional<Path> model, List<Checked> checked, int notChecked,
                           Units units) {
    public VerifyResult {
        diagnostics = List.copyOf(diagnostics);
        sources = List.copyOf(sources);
        checked = List.copyOf(checked);
    }

    /**
     * One statement's verdict: its name, kind (rule, property, ignore, monotone, or vnnlib), where it was written, and
     * how the verdict was established ({@code method}: for a monotonicity, the float32 tolerance of a proof).
     */
    public record Checked(String name, String kind, Span span, Verdict verdict, String method) {
        public Checked(String name, String kind, Span span, Verdict verdict) {
            this(name, kind, span, verdict, "");
        }

        /** "holds", "violated", or the verdict's own word (unknown, timeout). */
        public String word() {
            return verdict instanceof Verdict.Unsat ? "holds" : verdict instanceof Verdict.Sat ? "violated"
                    : verdict.word();
        }
    }

    /** How many statements were proved to hold, and how many were violated. */
    public long count(Class<? extends Verdict> kind) {
        return checked.stream().filter(c -> kind.isInstance(c.verdict())).count();
    }
}
