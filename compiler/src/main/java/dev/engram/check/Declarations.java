package dev.engram.check;

import dev.engram.ast.InputDomain;
import dev.engram.ast.Name;
import dev.engram.ast.Premise;
import dev.engram.ast.Statement;
import dev.engram.diag.DiagnosticCode;
import dev.engram.source.Span;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checker's first pass over a rule file: the {@code model} and {@code decide} statements, every name
 * (inputs, outputs, concepts), the input and output layout with its normalisations, and concept cycles. Fills the
 * {@link Scope}; the statements that use the names are checked afterwards by {@link Checker}.
 */
final class Declarations {
    /** Largest input or output index accepted. */
    static final int MAX_INDEX = 1_000_000;

    private final Scope scope;

    private Declarations(Scope scope) {
        this.scope = scope;
    }

    /** Declares everything in {@code st}; returns the model the file names, if any. */
    static Optional<String> declare(Scope scope, List<Statement> st) {
        return new Declarations(scope).run(st);
    }

    private Optional<String> run(List<Statement> st) {
        Optional<String> model = Optional.empty();
        Span modelSpan = null;
        Span decideSpan = null;
        Map<String, Span> names = new HashMap<>();
        Map<String, Statement.NormalizeDecl> norms = new LinkedHashMap<>();
        for (Statement s : st) {
            if (s instanceof Statement.ModelDecl m) {
                if (modelSpan != null) {
                    scope.error(DiagnosticCode.E011, m.span(), "second model declaration",
                            "a rule file names one model; first at " + modelSpan.start());
                } else {
                    modelSpan = m.span();
                    model = Optional.of(m.path());
                }
            } else if (s instanceof Statement.DecideDecl d) {
                if (decideSpan != null) {
                    scope.error(DiagnosticCode.E011, d.span(), "second decide statement",
                            "keep one; first at " + decideSpan.start());
                } else {
                    decideSpan = d.span();
                    scope.decide = d.direction();
                }
            } else {
                declareName(s, names, norms);
            }
        }
        inputs(st, norms);
        outputs(st, norms);
        for (Statement.NormalizeDecl n : norms.values()) {
            String t = n.target().text();
            if (!scope.inputs.containsKey(t) && !scope.outputs.containsKey(t)) {
                scope.undefined(n.target(), "input or output", scope.allNames(true, true, false));
            }
        }
        for (Statement.ConceptDef c : scope.conceptDefs.values()) {
            cycleCheck(c.name().text(), new ArrayList<>(), new HashSet<>());
        }
        return model;
    }

    private void declareName(Statement s, Map<String, Span> names, Map<String, Statement.NormalizeDecl> norms) {
        if (s instanceof Statement.InputDecl i) {
            scope.declare(names, i.name());
        } else if (s instanceof Statement.OutputDecl o) {
            scope.declare(names, o.name());
        } else if (s instanceof Statement.ConceptDef c) {
            if (scope.declare(names, c.name())) {
                scope.conceptDefs.put(c.name().text(), c);
            }
        } else if (s instanceof Statement.ConceptFromData c) {
            if (scope.declare(names, c.name())) {
                scope.learned.put(c.name().text(), c);
            }
        } else if (s instanceof Statement.NormalizeDecl n) {
            Statement.NormalizeDecl prev = norms.putIfAbsent(n.target().text(), n);
            if (prev != null) {
                scope.error(DiagnosticCode.E011, n.target().span(), "'" + n.target().text() + "' is normalised twice",
                        "keep one normalize line; first at " + prev.span().start());
            }
        }
    }

    // ---------------------------------------------------------------- inputs

    private void inputs(List<Statement> st, Map<String, Statement.NormalizeDecl> norms) {
        Map<Integer, String> slots = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Statement s : st) {
            if (!(s instanceof Statement.InputDecl i) || !seen.add(i.name().text())) {
                continue;
            }
            CheckedProgram.Input in = i.domain() instanceof InputDomain.Categorical c
                    ? categorical(i, c, norms.get(i.name().text()))
                    : real(i, (InputDomain.Real) i.domain(), norms.get(i.name().text()));
            for (int k = 0; k < in.width(); k++) {
                int slot = i.index() + k;
                String prev = slots.putIfAbsent(slot, in.name());
                if (prev != null) {
                    scope.error(DiagnosticCode.E013, i.span(), "input '" + in.name() + "' uses model input " + slot
                                    + ", already used by '" + prev + "'",
                            in.width() > 1 ? "a categorical input occupies one slot per value, from its index on"
                                    : "give each input its own index");
                    break;
                }
            }
            scope.report(ModelFit.input(in, scope.options.modelInputs()));
            long end = (long) i.index() + in.width();
            scope.inputWidth = (int) Math.max(scope.inputWidth, Math.min(end, Integer.MAX_VALUE));
            scope.inputs.put(in.name(), in);
        }
        if (scope.inputWidth > MAX_INDEX) {
            scope.error(DiagnosticCode.E014, scope.inputs.values().iterator().next().span(),
                    "input indices reach " + scope.inputWidth, "indices must be below " + MAX_INDEX);
            throw new Scope.TooComplex();
        }
    }

    private CheckedProgram.Input categorical(Statement.InputDecl i, InputDomain.Categorical c,
                                             Statement.NormalizeDecl n) {
        String name = i.name().text();
        Set<String> vals = new HashSet<>();
        for (Name v : c.values()) {
            if (!vals.add(v.text())) {
                scope.error(DiagnosticCode.E011, v.span(), "value '" + v.text() + "' listed twice",
                        "list each category once");
            }
        }
        if (n != null) {
            scope.error(DiagnosticCode.E015, n.target().span(), "'" + name + "' is categorical and cannot be normalised",
                    "categorical inputs are one-hot blocks of 0/1 slots; remove this normalize line");
        }
        return new CheckedProgram.Input(name, i.index(), c.values().size(), true,
                c.values().stream().map(Name::text).toList(), 0, 1, "", 1, 0, i.span());
    }

    private CheckedProgram.Input real(Statement.InputDecl i, InputDomain.Real r, Statement.NormalizeDecl n) {
        String name = i.name().text();
        double lo = LinearForms.constant(scope, r.lo());
        double hi = LinearForms.constant(scope, r.hi());
        if (lo > hi) {
            scope.error(DiagnosticCode.E012, r.span(), "domain of '" + name + "' is empty: " + Scope.fmt(lo) + " > "
                    + Scope.fmt(hi), "write the lower bound first: [" + Scope.fmt(hi) + ", " + Scope.fmt(lo) + "]");
        }
        double[] so = {1, 0};
        if (n != null) {
            so = normalisation(n, name, "input");
        } else if (!r.unit().isEmpty()) {
            scope.error(DiagnosticCode.E018, i.span(), "input '" + name + "' is in " + r.unit()
                            + " but has no normalisation", "add `normalize " + name
                            + " mean M range R` (or `scale S offset O`), or drop the unit if the model takes raw values");
        }
        return new CheckedProgram.Input(name, i.index(), 1, false, List.of(), lo, hi, r.unit(), so[0], so[1],
                i.span());
    }

    /** {@code {scale, offset}} of a normalisation ({@code model = real * scale + offset}); E019 when degenerate. */
    private double[] normalisation(Statement.NormalizeDecl n, String name, String what) {
        boolean meanRange = n.kind() == Statement.NormKind.MEAN_RANGE;
        if (meanRange && n.second() == 0 || !meanRange && n.first() == 0) {
            scope.error(DiagnosticCode.E019, n.span(), "normalisation of '" + name
                    + "' divides by zero or collapses the " + what, "the range (or scale) must be non-zero");
            return new double[] {1, 0};
        }
        return meanRange ? new double[] {1 / n.second(), -n.first() / n.second()}
                : new double[] {n.first(), n.second()};
    }

    // ---------------------------------------------------------------- outputs

    private void outputs(List<Statement> st, Map<String, Statement.NormalizeDecl> norms) {
        Map<Integer, String> slots = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Statement s : st) {
            if (!(s instanceof Statement.OutputDecl o) || !seen.add(o.name().text())) {
                continue;
            }
            String name = o.name().text();
            String prev = slots.putIfAbsent(o.index(), name);
            if (prev != null) {
                scope.error(DiagnosticCode.E013, o.span(), "output '" + name + "' uses model output " + o.index()
                        + ", already used by '" + prev + "'", "give each output its own index");
            }
            scope.report(ModelFit.output(o.index(), o.span(), scope.options.modelOutputs()));
            Statement.NormalizeDecl n = norms.get(name);
            double[] so = n == null ? new double[] {1, 0} : normalisation(n, name, "output");
            scope.outputWidth = Math.max(scope.outputWidth, o.index() + 1);
            scope.outputs.put(name, new CheckedProgram.Output(name, o.index(), so[0], so[1], o.span()));
        }
        if (scope.outputWidth > MAX_INDEX) {
            scope.error(DiagnosticCode.E014, scope.outputs.values().iterator().next().span(),
                    "output indices reach " + scope.outputWidth, "indices must be below " + MAX_INDEX);
            throw new Scope.TooComplex();
        }
    }

    // ---------------------------------------------------------------- concept cycles

    /** Reports the first cycle leading back to {@code stack[0]}; {@code visited} keeps the search linear. */
    private boolean cycleCheck(String concept, List<String> stack, Set<String> visited) {
        if (!stack.isEmpty() && stack.get(0).equals(concept)) {
            Statement.ConceptDef d = scope.conceptDefs.get(concept);
            scope.cyclic.add(concept);
            scope.error(DiagnosticCode.E022, d.name().span(), "concept '" + concept + "' is defined in terms of itself: "
                    + String.join(" -> ", stack) + " -> " + concept, "break the cycle; concepts must bottom out in inputs");
            return true;
        }
        Statement.ConceptDef d = scope.conceptDefs.get(concept);
        if (d == null || stack.size() > 200 || !visited.add(concept)) {
            return false;
        }
        stack.add(concept);
        Set<String> refs = new LinkedHashSet<>();
        collectRefs(d.premise(), refs, 0);
        for (String r : refs) {
            if (cycleCheck(r, stack, visited)) {
                stack.remove(stack.size() - 1);
                return true;
            }
        }
        stack.remove(stack.size() - 1);
        return false;
    }

    private static void collectRefs(Premise p, Set<String> out, int depth) {
        if (depth > 500) {
            return;
        }
        if (p instanceof Premise.ConceptRef r) {
            out.add(r.name().text());
        } else if (p instanceof Premise.Not n) {
            collectRefs(n.operand(), out, depth + 1);
        } else if (p instanceof Premise.And a) {
            a.items().forEach(x -> collectRefs(x, out, depth + 1));
        } else if (p instanceof Premise.Or o) {
            o.items().forEach(x -> collectRefs(x, out, depth + 1));
        }
    }
}
