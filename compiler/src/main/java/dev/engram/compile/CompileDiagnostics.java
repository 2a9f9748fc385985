package dev.engram.compile;

import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.ir.Obligation;
import dev.engram.ir.Units;
import dev.engram.lower.Lowering;
import dev.engram.verify.Verdict;

import java.util.ArrayList;
import java.util.List;

/**
 * The compiler's own diagnostics, as data like the front end's: {@code E061} for an obligation that does not hold
 * on a model, with the counterexample in the rule file's real units, at the rule's source position, and
 * {@code E063} for one whose proof ran into the time limit ({@code E062}, a lowering that cannot be applied, and
 * {@code E063} during lowering come from the lowerings: {@code Lowering.notApplicable}, {@code Lowering.timeLimit}).
 */
public final class CompileDiagnostics {
    private CompileDiagnostics() {
    }

    /**
     * One diagnostic per obligation of {@code reports} that was not proved on the compiled model: {@code E063} when
     * its verifier timed out and the time limit has passed ({@code timeUp}), else {@code E061}.
     */
    public static List<Diagnostic> notProved(List<RuleReport> reports, Units units, boolean timeUp) {
        List<Diagnostic> out = new ArrayList<>();
        for (RuleReport rr : reports) {
            if (timeUp && rr.verdict() instanceof Verdict.Timeout) {
                out.add(Lowering.timeLimit(rr.name(), rr.span(), "proved"));
            } else if (!rr.proved()) {
                out.add(doesNotHold(rr.name(), rr.span(), rr.verdict(), null, units, "the compiled model",
                        rr.measured() ? "measured, not proved: lower the rule's margin, give the concept more or "
                                + "cleaner examples, or relax --min-efficacy, --min-locality or --max-drawdown"
                                : "raise --timeout, use another strategy, or check that the rule is satisfiable"));
            }
        }
        return out;
    }

    /**
     * {@code E061} for {@code ob} on {@code model}: a counterexample in real units, or why there is no proof.
     * {@code ob} may be null when only the name and span are known.
     */
    public static Diagnostic doesNotHold(String name, dev.engram.source.Span span, Verdict v, Obligation ob,
                                         Units units, String model, String hint) {
        String why;
        if (v instanceof Verdict.Sat s && s.partner().isPresent()) {
            why = pair(s, ob, units);
        } else if (v instanceof Verdict.Sat s) {
            why = ob instanceof Obligation.Invariance inv
                    ? "the outputs change with '" + inv.input() + "', e.g. at " + units.inputs(s.input())
                    : "counterexample " + units.inputs(s.input()) + " gives " + units.outputs(s.output());
        } else if (v instanceof Verdict.Unknown u) {
            why = u.reason().startsWith("measured") ? u.reason() : "no proof: " + u.reason();
        } else {
            why = "no proof within the time budget";
        }
        return Diagnostic.error(DiagnosticCode.E061, span, "'" + name + "' does not hold on " + model + ": " + why,
                hint);
    }

    /** A counterexample pair in real units: both inputs (the second as the one value that grew) and their outputs. */
    private static String pair(Verdict.Sat s, Obligation ob, Units units) {
        Verdict.Witness w = s.partner().orElseThrow();
        String second = units.inputs(w.input());
        if (ob instanceof Obligation.Monotone m) {
            int slot = m.property().slot();
            for (Units.Input in : units.inputs()) {
                if (in.index() == slot && !in.categorical()) {
                    second = "the same with " + m.input() + " = " + Units.fmt((w.input()[slot] - in.offset())
                            / in.scale());
                }
            }
        }
        return "counterexample pair: " + units.inputs(s.input()) + " gives " + units.outputs(s.output()) + "; "
                + second + " gives " + units.outputs(w.output());
    }
}
