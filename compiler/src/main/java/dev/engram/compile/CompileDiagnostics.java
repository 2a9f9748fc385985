package dev.engram.compile;

import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.ir.Obligation;
import dev.engram.ir.Units;
import dev.engram.verify.Verdict;

import java.util.ArrayList;
import java.util.List;

/**
 * The compiler's own diagnostics, as data like the front end's: {@code E061} for an obligation that does not hold
 * on a model, with the counterexample in the rule file's real units, at the rule's source position ({@code E062},
 * a lowering that cannot be applied, comes from the lowering itself: {@code Lowering.notApplicable}).
 */
public final class CompileDiagnostics {
    private CompileDiagnostics() {
    }

    /** One {@code E061} per obligation of {@code reports} that was not proved on the compiled model. */
    public static List<Diagnostic> notProved(List<RuleReport> reports, Units units) {
        List<Diagnostic> out = new ArrayList<>();
        for (RuleReport rr : reports) {
            if (!rr.proved()) {
                out.add(doesNotHold(rr.name(), rr.span(), rr.verdict(), null, units, "the compiled model",
                        "raise --timeout, use another strategy, or check that the rule is satisfiable"));
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
