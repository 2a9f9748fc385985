package dev.engram.check;

import dev.engram.ast.CmpOp;
import dev.engram.ast.Consequent;
import dev.engram.ast.Expr;
import dev.engram.ast.Premise;
import dev.engram.ast.Statement;
import dev.engram.diag.DiagnosticCode;
import dev.engram.source.Span;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The checker's normal forms, in real units: a premise becomes a union of cases (disjunctive normal form, each case
 * a conjunction of linear constraints and learned-concept literals) and a consequent a conjunction of clauses
 * (conjunctive normal form). Named concepts are expanded once per polarity and context. Either form is refused
 * ({@code E024}) past {@link Checker#MAX_CASES} cases.
 */
final class NormalForms {
    private final Scope scope;
    private final LinearForms forms;
    private final Map<String, List<Case>> conceptCases = new HashMap<>();

    NormalForms(Scope scope) {
        this.scope = scope;
        this.forms = new LinearForms(scope);
    }

    /** A DNF case under construction: a conjunction of linear constraints and learned-concept literals. */
    static final class Case {
        private final List<Linear> ownCons;
        private final List<PremiseCase.ConceptLiteral> ownLearned;
        private final Case left;
        private final Case right;

        Case(List<Linear> cons, List<PremiseCase.ConceptLiteral> learned) {
            this.ownCons = List.copyOf(cons);
            this.ownLearned = List.copyOf(learned);
            this.left = null;
            this.right = null;
        }

        private Case(Case left, Case right) {
            this.ownCons = List.of();
            this.ownLearned = List.of();
            this.left = left;
            this.right = right;
        }

        /** The conjunction, in constant time (a long chain of {@code and}s must not copy lists each step). */
        Case and(Case o) {
            if (this == TRUE) {
                return o;
            }
            return o == TRUE ? this : new Case(this, o);
        }

        /** All constraints, left to right (iterative: conjunction trees can be very deep). */
        List<Linear> cons() {
            List<Linear> out = new ArrayList<>();
            leaves(c -> out.addAll(c.ownCons));
            return out;
        }

        List<PremiseCase.ConceptLiteral> learned() {
            List<PremiseCase.ConceptLiteral> out = new ArrayList<>();
            leaves(c -> out.addAll(c.ownLearned));
            return out;
        }

        private void leaves(Consumer<Case> f) {
            ArrayDeque<Case> stack = new ArrayDeque<>();
            stack.push(this);
            while (!stack.isEmpty()) {
                Case c = stack.pop();
                if (c.left == null) {
                    f.accept(c);
                } else {
                    stack.push(c.right);
                    stack.push(c.left);
                }
            }
        }
    }

    static final Case TRUE = new Case(List.of(), List.of());

    // ---------------------------------------------------------------- premises (DNF)

    /** The cases of {@code p} (of its negation when {@code negated}); {@code inProperty} forbids learned concepts. */
    List<Case> premise(Premise p, boolean negated, boolean inProperty) {
        return premise(p, negated, inProperty, 0, new ArrayList<>());
    }

    private List<Case> premise(Premise p, boolean negated, boolean inProperty, int depth, List<String> expanding) {
        if (depth > LinearForms.MAX_DEPTH) {
            scope.error(DiagnosticCode.E024, p.span(), "premise too deeply nested", "name parts of it as concepts");
            throw new Scope.TooComplex();
        }
        if (p instanceof Premise.Not n) {
            return premise(n.operand(), !negated, inProperty, depth + 1, expanding);
        } else if (p instanceof Premise.And || p instanceof Premise.Or) {
            List<Premise> items = p instanceof Premise.And a ? a.items() : ((Premise.Or) p).items();
            boolean conjunction = p instanceof Premise.And != negated;
            List<Case> acc = conjunction ? List.of(TRUE) : new ArrayList<>();
            for (Premise item : items) {
                List<Case> next = premise(item, negated, inProperty, depth + 1, expanding);
                if (conjunction) {
                    acc = limit(product(acc, next), p.span());
                } else {
                    acc.addAll(next);
                    limit(acc, p.span());
                }
            }
            return acc;
        } else if (p instanceof Premise.Compare c) {
            List<List<Linear>> cnf = new ArrayList<>();
            List<LinearForms.Lin> ls = new ArrayList<>();
            for (Expr e : c.operands()) {
                ls.add(forms.linear(e, LinearForms.Ctx.INPUTS, depth));
            }
            for (int i = 0; i < c.ops().size(); i++) {
                cnf.addAll(LinearForms.comparison(ls.get(i), c.ops().get(i), ls.get(i + 1), false));
            }
            return fromCnf(cnf, negated, p.span());
        } else if (p instanceof Premise.InInterval iv) {
            return interval(iv, negated, depth);
        } else if (p instanceof Premise.IsValue v) {
            return isValue(v, negated);
        }
        return conceptRef((Premise.ConceptRef) p, negated, inProperty, depth, expanding);
    }

    private static List<Case> product(List<Case> acc, List<Case> next) {
        List<Case> prod = new ArrayList<>();
        for (Case x : acc) {
            for (Case y : next) {
                prod.add(x.and(y));
            }
        }
        return prod;
    }

    private List<Case> interval(Premise.InInterval iv, boolean negated, int depth) {
        LinearForms.Lin e = forms.linear(iv.expr(), LinearForms.Ctx.INPUTS, depth);
        double lo = LinearForms.constant(scope, iv.lo());
        double hi = LinearForms.constant(scope, iv.hi());
        if (lo > hi) {
            scope.error(DiagnosticCode.E012, iv.span(), "interval [" + Scope.fmt(lo) + ", " + Scope.fmt(hi)
                    + "] is empty", "write the lower bound first");
        }
        LinearForms.Lin loL = new LinearForms.Lin(new double[scope.inputWidth], lo, true);
        LinearForms.Lin hiL = new LinearForms.Lin(new double[scope.inputWidth], hi, true);
        List<List<Linear>> cnf = new ArrayList<>();
        cnf.addAll(LinearForms.comparison(loL, CmpOp.LE, e, false));
        cnf.addAll(LinearForms.comparison(e, CmpOp.LE, hiL, false));
        return fromCnf(cnf, negated, iv.span());
    }

    private List<Case> isValue(Premise.IsValue v, boolean negated) {
        CheckedProgram.Input in = scope.inputs.get(v.feature().text());
        if (in == null) {
            String k = scope.kindOf(v.feature().text());
            if (k != null) {
                scope.error(DiagnosticCode.E015, v.feature().span(), "'" + v.feature().text() + "' is " + k
                                + ", not a categorical input",
                        "`is` tests a categorical input; compare numbers with <=, >=, = or `in [a, b]`");
            } else {
                scope.undefined(v.feature(), "input", scope.allNames(true, false, false));
            }
            return List.of(TRUE);
        }
        if (!in.categorical()) {
            scope.error(DiagnosticCode.E015, v.feature().span(), "'" + in.name() + "' is a number, not a categorical input",
                    "compare numbers with <=, >=, = or `in [a, b]`");
            return List.of(TRUE);
        }
        int k = in.values().indexOf(v.value().text());
        if (k < 0) {
            String best = DidYouMean.suggest(v.value().text(), in.values());
            scope.error(DiagnosticCode.E010, v.value().span(), "'" + in.name() + "' has no value '" + v.value().text()
                    + "'", best != null ? "did you mean '" + best + "'?" : "values: " + String.join(", ", in.values()));
            return List.of(TRUE);
        }
        boolean want = v.negated() != negated;
        List<Case> out = new ArrayList<>();
        for (int j = 0; j < in.width(); j++) {
            if ((j == k) != want) {
                out.add(new Case(oneHot(in, j), List.of()));
            }
        }
        return out;
    }

    private List<Case> conceptRef(Premise.ConceptRef r, boolean negated, boolean inProperty, int depth,
                                  List<String> expanding) {
        String name = r.name().text();
        scope.usedConcepts.add(name);
        Statement.ConceptDef def = scope.conceptDefs.get(name);
        if (def != null) {
            if (expanding.contains(name) || scope.cyclic.contains(name)) {
                return List.of(TRUE); // cycle, reported by the declarations' cycle check
            }
            // a concept is expanded once per polarity and context: re-expanding it at every use made shared
            // sub-concepts exponential, and repeated its diagnostics
            String key = name + (negated ? "|not" : "|") + (inProperty ? "|property" : "|rule");
            List<Case> known = conceptCases.get(key);
            if (known != null) {
                return known;
            }
            expanding.add(name);
            List<Case> cs = premise(def.premise(), negated, inProperty, depth + 1, expanding);
            expanding.remove(expanding.size() - 1);
            conceptCases.put(key, cs);
            return cs;
        }
        if (scope.learned.containsKey(name)) {
            if (inProperty) {
                scope.error(DiagnosticCode.E026, r.span(), "learned concept '" + name + "' in a property",
                        "a property's region must be decidable from the inputs alone; use it in a rule instead");
            }
            return List.of(new Case(List.of(), List.of(new PremiseCase.ConceptLiteral(name, negated))));
        }
        String k = scope.kindOf(name);
        if (k != null) {
            scope.error(DiagnosticCode.E017, r.span(), "'" + name + "' is " + k + ", not a condition",
                    "compare it, e.g. `" + name + " >= 0`");
        } else {
            scope.undefined(r.name(), "concept", scope.allNames(true, false, true));
        }
        return List.of(TRUE);
    }

    private List<Linear> oneHot(CheckedProgram.Input in, int hot) {
        List<Linear> cons = new ArrayList<>();
        for (int j = 0; j < in.width(); j++) {
            double[] c = new double[scope.inputWidth];
            c[in.index() + j] = 1;
            double v = j == hot ? 1 : 0;
            cons.add(new Linear(c, v, false));
            double[] m = new double[scope.inputWidth];
            m[in.index() + j] = -1;
            cons.add(new Linear(m, -v, false));
        }
        return cons;
    }

    /** DNF of a CNF (possibly negated: then the DNF of the negation). */
    private List<Case> fromCnf(List<List<Linear>> cnf, boolean negated, Span span) {
        if (negated) {
            // not (AND_i OR_j l_ij) = OR_i AND_j not l_ij
            List<Case> out = new ArrayList<>();
            for (List<Linear> clause : cnf) {
                out.add(new Case(clause.stream().map(Linear::negate).toList(), List.of()));
            }
            return out;
        }
        List<Case> acc = List.of(TRUE);
        for (List<Linear> clause : cnf) {
            List<Case> next = new ArrayList<>();
            for (Case c : acc) {
                for (Linear l : clause) {
                    next.add(c.and(new Case(List.of(l), List.of())));
                }
            }
            acc = limit(next, span);
        }
        return acc;
    }

    private <T> List<T> limit(List<T> xs, Span span) {
        if (xs.size() > Checker.MAX_CASES) {
            tooMany(span);
        }
        return xs;
    }

    private void tooMany(Span span) {
        scope.error(DiagnosticCode.E024, span, "this condition expands to more than " + Checker.MAX_CASES + " cases",
                "split the rule into several rules, or name parts as concepts");
        throw new Scope.TooComplex();
    }

    // ---------------------------------------------------------------- consequents (CNF)

    /** The clauses of {@code c}: every inner list is a disjunction, and all must hold. */
    List<List<Linear>> consequent(Consequent c, int depth) {
        if (depth > LinearForms.MAX_DEPTH) {
            scope.error(DiagnosticCode.E024, c.span(), "consequent too deeply nested", "simplify it");
            throw new Scope.TooComplex();
        }
        if (c instanceof Consequent.And a) {
            List<List<Linear>> out = new ArrayList<>();
            for (Consequent x : a.items()) {
                out.addAll(consequent(x, depth + 1));
            }
            return limit(out, c.span());
        } else if (c instanceof Consequent.Or o) {
            return disjunction(o, depth);
        } else if (c instanceof Consequent.Compare cmp) {
            List<LinearForms.Lin> ls = new ArrayList<>();
            for (Expr e : cmp.operands()) {
                ls.add(forms.linear(e, LinearForms.Ctx.OUTPUTS, depth));
            }
            List<List<Linear>> cnf = new ArrayList<>();
            for (int i = 0; i < cmp.ops().size(); i++) {
                cnf.addAll(LinearForms.comparison(ls.get(i), cmp.ops().get(i), ls.get(i + 1), false));
            }
            return cnf;
        }
        return predicate((Consequent.Predicate) c);
    }

    /**
     * {@code (A1 and A2) or (B1 and B2) = (A1 or B1) and (A1 or B2) and ...}: one clause per choice of a clause from
     * every disjunct. Sized first, then each clause built once (no quadratic copying on long chains).
     */
    private List<List<Linear>> disjunction(Consequent.Or o, int depth) {
        List<List<List<Linear>>> parts = new ArrayList<>();
        long count = 1;
        for (Consequent x : o.items()) {
            List<List<Linear>> next = consequent(x, depth + 1);
            parts.add(next);
            count = Math.min(count * next.size(), Checker.MAX_CASES + 1L);
        }
        if (count > Checker.MAX_CASES) {
            tooMany(o.span());
        }
        List<List<Linear>> out = new ArrayList<>();
        if (count == 0) {
            return out;
        }
        int[] pick = new int[parts.size()];
        while (true) {
            List<Linear> clause = new ArrayList<>();
            for (int i = 0; i < pick.length; i++) {
                clause.addAll(parts.get(i).get(pick[i]));
            }
            out.add(clause);
            int i = pick.length - 1;
            while (i >= 0 && ++pick[i] == parts.get(i).size()) {
                pick[i] = 0;
                i--;
            }
            if (i < 0) {
                return out;
            }
        }
    }

    /**
     * A decision predicate with ties counted against the rule: for argmin, "X is the decision" is
     * {@code y_X <= y_j} for every other j, and "X is not the decision" the clause {@code OR_j y_j < y_X}.
     */
    private List<List<Linear>> predicate(Consequent.Predicate p) {
        CheckedProgram.Output out = scope.output(p.output());
        if (out == null) {
            return List.of();
        }
        Consequent.PredKind kind = p.kind();
        if (kind == Consequent.PredKind.DECISION) {
            if (scope.decide == null) {
                scope.error(DiagnosticCode.E020, p.span(), "'the decision' needs a decide statement",
                        "add `decide argmax` or `decide argmin`, or say `maximal`/`minimal`");
                return List.of();
            }
            kind = scope.decide == Statement.Direction.ARGMIN ? Consequent.PredKind.MINIMAL : Consequent.PredKind.MAXIMAL;
        }
        boolean minimal = kind == Consequent.PredKind.MINIMAL;
        List<List<Linear>> cnf = new ArrayList<>();
        List<Linear> clause = new ArrayList<>();
        for (CheckedProgram.Output o : scope.outputs.values()) {
            if (o.index() == out.index()) {
                continue;
            }
            double[] c2 = new double[scope.outputWidth];
            // (y_X - y_j) <= 0 for minimal; (y_j - y_X) <= 0 for maximal
            c2[out.index()] += minimal ? 1 : -1;
            c2[o.index()] += minimal ? -1 : 1;
            Linear l = new Linear(c2, 0, false);
            if (p.negated()) {
                clause.add(l.negate());
            } else {
                cnf.add(List.of(l));
            }
        }
        if (p.negated()) {
            cnf.add(clause);
        }
        return cnf;
    }

    /**
     * The consequent tightened by {@code margin} output units: every literal {@code a . y <= b} becomes
     * {@code a . y <= b - margin * max|a_j|} (so a decision predicate must win by {@code margin}).
     */
    static List<List<Linear>> withMargin(List<List<Linear>> cnf, double margin) {
        if (margin == 0) {
            return cnf;
        }
        List<List<Linear>> out = new ArrayList<>();
        for (List<Linear> clause : cnf) {
            List<Linear> c = new ArrayList<>();
            for (Linear l : clause) {
                double max = 0;
                for (double a : l.coefficients()) {
                    max = Math.max(max, Math.abs(a));
                }
                c.add(new Linear(l.coefficients(), l.bound() - margin * max, l.strict()));
            }
            out.add(c);
        }
        return out;
    }
}
