package dev.engram;

import dev.engram.compile.Outcome;
import dev.engram.diag.Diagnostic;
import dev.engram.ir.Measurement;
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
     * One statement's verdict: its name, kind (rule, property, ignore, erase, monotone, or vnnlib) and where it was
     * written; for a statement over a learned concept, what it was measured by ({@link Measurement#NONE} otherwise);
     * how the verdict was established ({@code method}: for a monotonicity, the float32 tolerance of a proof).
     */
    public record Checked(String name, String kind, Span span, Verdict verdict, Measurement measurement,
                          String method) {
        public Checked {
            measurement = measurement == null ? Measurement.NONE : measurement;
        }

        public Checked(String name, String kind, Span span, Verdict verdict) {
            this(name, kind, span, verdict, Measurement.NONE, "");
        }

        /** True for a statement judged by measurement on held-out data (a learned concept), not by a proof. */
        public boolean measured() {
            return measurement.measured();
        }

        /**
         * "holds", "violated", or the verdict's own word (unknown, timeout); for a measured statement "measured"
         * (within its limits) or "short" (not).
         */
        public String word() {
            if (measured()) {
                return verdict instanceof Verdict.Unsat ? "measured" : "short";
            }
            return verdict instanceof Verdict.Unsat ? "holds" : verdict instanceof Verdict.Sat ? "violated"
                    : verdict.word();
        }
    }

    /** How many statements were proved to hold, and how many were violated (measured statements not counted). */
    public long count(Class<? extends Verdict> kind) {
        return checked.stream().filter(c -> !c.measured() && kind.isInstance(c.verdict())).count();
    }

    /** How many statements were measured, and of them how many within their limits. */
    public long measured(boolean withinLimits) {
        return checked.stream().filter(c -> c.measured() && (c.verdict() instanceof Verdict.Unsat) == withinLimits)
                .count();
    }
}
