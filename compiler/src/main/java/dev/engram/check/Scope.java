package dev.engram.check;

import dev.engram.ast.Name;
import dev.engram.ast.Statement;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.source.Span;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one run of the checker knows while it walks a rule file: the declared inputs, outputs and concepts, the
 * decision direction, the widths of the input and output vectors, and the diagnostics found so far. Shared by the
 * checker's parts ({@link Declarations}, {@link LinearForms}, {@link NormalForms}, {@link DomainClip}); it lives as
 * long as one {@link Checker#check} call.
 */
final class Scope {
    final CheckOptions options;
    final List<Diagnostic> diags = new ArrayList<>();
    final Map<String, CheckedProgram.Input> inputs = new LinkedHashMap<>();
    final Map<String, CheckedProgram.Output> outputs = new LinkedHashMap<>();
    final Map<String, Statement.ConceptDef> conceptDefs = new LinkedHashMap<>();
    final Map<String, Statement.ConceptFromData> learned = new LinkedHashMap<>();
    final Set<String> usedConcepts = new HashSet<>();
    final Set<String> cyclic = new HashSet<>();
    Statement.Direction decide;
    int inputWidth;
    int outputWidth;
    private int errors;

    Scope(CheckOptions options) {
        this.options = options;
    }

    /** Thrown when a statement is too large or deep to check further; already reported as a diagnostic. */
    static final class TooComplex extends RuntimeException {
        TooComplex() {
            super(null, null, false, false);
        }
    }

    void error(DiagnosticCode code, Span span, String message, String hint) {
        errors++;
        diags.add(Diagnostic.error(code, span, message, hint));
    }

    void warning(DiagnosticCode code, Span span, String message, String hint) {
        diags.add(Diagnostic.warning(code, span, message, hint));
    }

    /** Adds diagnostics found elsewhere ({@link ModelFit}), counting their errors. */
    void report(List<Diagnostic> found) {
        for (Diagnostic d : found) {
            errors += d.isError() ? 1 : 0;
            diags.add(d);
        }
    }

    int errorCount() {
        return errors;
    }

    /** Declares {@code n} in {@code names}; a second declaration is {@code E011}. */
    boolean declare(Map<String, Span> names, Name n) {
        Span prev = names.putIfAbsent(n.text(), n.span());
        if (prev != null) {
            error(DiagnosticCode.E011, n.span(), "'" + n.text() + "' is already declared",
                    "first declared at " + prev.start() + "; choose another name");
            return false;
        }
        return true;
    }

    List<String> allNames(boolean in, boolean out, boolean concepts) {
        List<String> all = new ArrayList<>();
        if (in) {
            all.addAll(inputs.keySet());
        }
        if (out) {
            all.addAll(outputs.keySet());
        }
        if (concepts) {
            all.addAll(conceptDefs.keySet());
            all.addAll(learned.keySet());
        }
        return all;
    }

    void undefined(Name n, String kind, List<String> candidates) {
        String best = DidYouMean.suggest(n.text(), candidates);
        error(DiagnosticCode.E010, n.span(), "unknown " + kind + " '" + n.text() + "'",
                best != null ? "did you mean '" + best + "'?"
                        : candidates.isEmpty() ? "declare it first"
                        : "declared: " + String.join(", ", candidates.subList(0, Math.min(8, candidates.size()))));
    }

    /** "an input", "an output", "a concept", or null for an unknown name. */
    String kindOf(String name) {
        if (inputs.containsKey(name)) {
            return "an input";
        } else if (outputs.containsKey(name)) {
            return "an output";
        } else if (conceptDefs.containsKey(name) || learned.containsKey(name)) {
            return "a concept";
        }
        return null;
    }

    /** The input {@code n} names, or null after reporting why it is not one. */
    CheckedProgram.Input input(Name n) {
        CheckedProgram.Input in = inputs.get(n.text());
        if (in == null) {
            wrongKind(n, "an input", allNames(true, false, false), "input");
        }
        return in;
    }

    /** The output {@code n} names, or null after reporting why it is not one. */
    CheckedProgram.Output output(Name n) {
        CheckedProgram.Output out = outputs.get(n.text());
        if (out == null) {
            wrongKind(n, "an output", allNames(false, true, false), "output");
        }
        return out;
    }

    /** True when {@code n} names a concept (marking it used); otherwise reports why not. */
    boolean concept(Name n) {
        usedConcepts.add(n.text());
        if (conceptDefs.containsKey(n.text()) || learned.containsKey(n.text())) {
            return true;
        }
        wrongKind(n, "a concept", allNames(false, false, true), "concept");
        return false;
    }

    private void wrongKind(Name n, String wanted, List<String> candidates, String kind) {
        String k = kindOf(n.text());
        if (k != null) {
            error(DiagnosticCode.E017, n.span(), "'" + n.text() + "' is " + k + ", not " + wanted,
                    "name " + wanted + " here");
        } else {
            undefined(n, kind, candidates);
        }
    }

    static String fmt(double v) {
        return dev.engram.parse.AstPrinter.number(v);
    }
}
