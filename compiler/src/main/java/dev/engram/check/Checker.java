package dev.engram.check;

import dev.engram.ast.CmpOp;
import dev.engram.ast.Consequent;
import dev.engram.ast.Expr;
import dev.engram.ast.InputDomain;
import dev.engram.ast.Name;
import dev.engram.ast.Premise;
import dev.engram.ast.RuleFile;
import dev.engram.ast.Statement;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.parse.ParseResult;
import dev.engram.parse.RuleParser;
import dev.engram.source.SourceFile;
import dev.engram.source.Span;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The semantic checker: resolves names, checks declarations, types and linearity, and lowers every rule and
 * property to boxes and linear constraints ({@link CheckedProgram}). Reports every problem it finds as a
 * diagnostic; never throws for any AST.
 */
public final class Checker {
    /** Largest normal form (cases of a premise, clauses of a consequent) accepted. */
    public static final int MAX_CASES = 4096;

    private final String path;
    private final CheckOptions options;
    private final List<Diagnostic> diags = new ArrayList<>();
    private final Map<String, CheckedProgram.Input> inputs = new LinkedHashMap<>();
    private final Map<String, CheckedProgram.Output> outputs = new LinkedHashMap<>();
    private final Map<String, Statement.ConceptDef> conceptDefs = new LinkedHashMap<>();
    private final Map<String, Statement.ConceptFromData> learned = new LinkedHashMap<>();
    private final Set<String> usedConcepts = new HashSet<>();
    private final Set<String> cyclic = new HashSet<>();
    private int errors;
    private final Map<String, List<Case>> conceptCases = new HashMap<>();
    private Statement.Direction decide;
    private int inputWidth;
    private int outputWidth;

    private Checker(String path, CheckOptions options) {
        this.path = path;
        this.options = options;
    }

    /** Parses and checks one source file. */
    public static CheckResult check(SourceFile source, CheckOptions options) {
        ParseResult parsed = RuleParser.parse(source);
        if (parsed.file().isEmpty()) {
            return new CheckResult(Optional.empty(), sorted(parsed.diagnostics()));
        }
        CheckResult r = check(parsed.file().get(), source.path(), options);
        List<Diagnostic> all = new ArrayList<>(parsed.diagnostics());
        all.addAll(r.diagnostics());
        return new CheckResult(r.program(), sorted(all));
    }

    /** Checks an AST. */
    public static CheckResult check(RuleFile file, String path, CheckOptions options) {
        Checker c = new Checker(path, options);
        CheckedProgram p;
        try {
            p = c.run(file);
        } catch (TooComplex e) {
            p = null;
        }
        boolean errors = c.diags.stream().anyMatch(Diagnostic::isError);
        return new CheckResult(errors || p == null ? Optional.empty() : Optional.of(p), sorted(c.diags));
    }

    private static List<Diagnostic> sorted(List<Diagnostic> ds) {
        List<Diagnostic> out = new ArrayList<>(ds);
        out.sort(Comparator.comparing((Diagnostic d) -> d.span().start()));
        return out;
    }

    private static final class TooComplex extends RuntimeException {
        TooComplex() {
            super(null, null, false, false);
        }
    }

    private void error(DiagnosticCode code, Span span, String message, String hint) {
        errors++;
        diags.add(Diagnostic.error(code, span, message, hint));
    }

    // ---------------------------------------------------------------- declarations

    private CheckedProgram run(RuleFile file) {
        List<Statement> st = file.statements();
        Optional<String> model = Optional.empty();
        Span modelSpan = null;
        Span decideSpan = null;
        Map<String, Span> names = new HashMap<>();
        Map<String, Statement.NormalizeDecl> norms = new LinkedHashMap<>();
        for (Statement s : st) {
            if (s instanceof Statement.ModelDecl m) {
                if (modelSpan != null) {
                    error(DiagnosticCode.E011, m.span(), "second model declaration", "a rule file names one model; first at " + modelSpan.start());
                } else {
                    modelSpan = m.span();
                    model = Optional.of(m.path());
                }
            } else if (s instanceof Statement.DecideDecl d) {
                if (decideSpan != null) {
                    error(DiagnosticCode.E011, d.span(), "second decide statement", "keep one; first at " + decideSpan.start());
                } else {
                    decideSpan = d.span();
                    decide = d.direction();
                }
            } else if (s instanceof Statement.InputDecl i) {
                declare(names, i.name());
            } else if (s instanceof Statement.OutputDecl o) {
                declare(names, o.name());
            } else if (s instanceof Statement.ConceptDef c) {
                if (declare(names, c.name())) {
                    conceptDefs.put(c.name().text(), c);
                }
            } else if (s instanceof Statement.ConceptFromData c) {
                if (declare(names, c.name())) {
                    learned.put(c.name().text(), c);
                }
            } else if (s instanceof Statement.NormalizeDecl n) {
                Statement.NormalizeDecl prev = norms.putIfAbsent(n.target().text(), n);
                if (prev != null) {
                    error(DiagnosticCode.E011, n.target().span(), "'" + n.target().text() + "' is normalised twice",
                            "keep one normalize line; first at " + prev.span().start());
                }
            }
        }
        declareInputs(st, norms);
        declareOutputs(st, norms);
        for (Statement.NormalizeDecl n : norms.values()) {
            String t = n.target().text();
            if (!inputs.containsKey(t) && !outputs.containsKey(t)) {
                undefined(n.target(), "input or output", allNames(true, true, false));
            }
        }
        for (Statement.ConceptDef c : conceptDefs.values()) {
            cycleCheck(c.name().text(), new ArrayList<>(), new HashSet<>());
        }

        List<CheckedRule> rules = new ArrayList<>();
        List<CheckedRule> properties = new ArrayList<>();
        List<CheckedProgram.Invariance> inv = new ArrayList<>();
        List<CheckedProgram.Monotonicity> mono = new ArrayList<>();
        List<CheckedProgram.Erasure> erasures = new ArrayList<>();
        List<CheckedProgram.Steering> steerings = new ArrayList<>();
        List<CheckedProgram.VnnlibImport> imports = new ArrayList<>();
        Map<String, Span> ruleNames = new HashMap<>();
        for (Statement s : st) {
            if (s instanceof Statement.ConceptDef c) {
                lowerPremise(c.premise(), false, false);
            } else if (s instanceof Statement.RuleStmt r) {
                declare(ruleNames, r.name());
                double margin = r.margin().orElse(0);
                if (margin < 0) {
                    error(DiagnosticCode.E023, r.span(), "negative margin " + fmt(margin), "a margin is a distance; write a value >= 0");
                }
                CheckedRule cr = lowerRule(r.name().text(), r.doc(), r.span(), false, r.strategy(), margin, r.when(), r.then());
                if (cr != null) {
                    rules.add(cr);
                }
            } else if (s instanceof Statement.PropertyStmt p) {
                declare(ruleNames, p.name());
                CheckedRule cr = lowerRule(p.name().text(), p.doc(), p.span(), true, Optional.empty(), 0, p.over(), p.ensure());
                if (cr != null) {
                    properties.add(cr);
                }
            } else if (s instanceof Statement.IgnoreStmt ig) {
                CheckedProgram.Input in = input(ig.input());
                if (in != null) {
                    List<Integer> slots = new ArrayList<>();
                    for (int k = 0; k < in.width(); k++) {
                        slots.add(in.index() + k);
                    }
                    inv.add(new CheckedProgram.Invariance(in.name(), slots, ig.doc(), ig.span()));
                }
            } else if (s instanceof Statement.MonotoneStmt m) {
                CheckedProgram.Output out = output(m.output());
                CheckedProgram.Input in = input(m.input());
                if (in != null && in.categorical()) {
                    error(DiagnosticCode.E015, m.input().span(), "'" + in.name() + "' is categorical: it has no order",
                            "monotonicity needs a real-valued input");
                } else if (in != null && out != null) {
                    mono.add(new CheckedProgram.Monotonicity(out.name(), out.index(), m.increasing(), in.name(), in.index(), m.doc(), m.span()));
                }
            } else if (s instanceof Statement.EraseStmt e) {
                if (concept(e.concept())) {
                    erasures.add(new CheckedProgram.Erasure(e.concept().text(), e.layer(), e.doc(), e.span()));
                }
            } else if (s instanceof Statement.SteerStmt sv) {
                if (concept(sv.concept())) {
                    steerings.add(new CheckedProgram.Steering(sv.concept().text(), sv.layer(), sv.strength(), sv.doc(), sv.span()));
                }
            } else if (s instanceof Statement.ImportVnnlib im) {
                String name = im.name().map(Name::text).orElse(stem(im.file()));
                if (im.name().isPresent()) {
                    declare(ruleNames, im.name().get());
                }
                String target = im.file();
                if (options.baseDir() != null) {
                    Path p = resolve(im.file());
                    if (p == null) {
                        error(DiagnosticCode.E025, im.span(), "\"" + printable(im.file()) + "\" is not a valid file path",
                                "write a relative path without control characters");
                    } else {
                        target = p.toString();
                        if (!Files.isRegularFile(p)) {
                            error(DiagnosticCode.E025, im.span(), "cannot find VNN-LIB file \"" + printable(im.file()) + "\"",
                                    "paths are relative to the rule file's folder (" + options.baseDir() + ")");
                        }
                    }
                }
                imports.add(new CheckedProgram.VnnlibImport(target, im.asRule(), name, im.doc(), im.span()));
            }
        }
        for (Statement.ConceptDef c : conceptDefs.values()) {
            if (!usedConcepts.contains(c.name().text())) {
                diags.add(Diagnostic.warning(DiagnosticCode.W103, c.name().span(), "concept '" + c.name().text() + "' is never used",
                        "use it in a rule, or remove it"));
            }
        }
        for (Statement.ConceptFromData c : learned.values()) {
            if (!usedConcepts.contains(c.name().text())) {
                diags.add(Diagnostic.warning(DiagnosticCode.W103, c.name().span(), "concept '" + c.name().text() + "' is never used",
                        "erase it, steer toward it, use it in a rule, or remove it"));
            }
        }
        List<CheckedProgram.LearnedConcept> lc = new ArrayList<>();
        for (Statement.ConceptFromData c : learned.values()) {
            Path resolved = options.baseDir() == null ? null : resolve(c.file());
            String f = resolved == null ? c.file() : resolved.toString();
            lc.add(new CheckedProgram.LearnedConcept(c.name().text(), f, c.column(), c.layer(), c.doc(), c.span()));
        }
        return new CheckedProgram(path, model, inputWidth, outputWidth, List.copyOf(inputs.values()),
                List.copyOf(outputs.values()), Optional.ofNullable(decide), rules, properties, inv, mono, lc,
                erasures, steerings, imports);
    }

    /** {@code file} against the base folder, or null when it is not a valid path on this system. */
    private Path resolve(String file) {
        try {
            return options.baseDir().resolve(file).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return s.length() > 200 ? b + "..." : b.toString();
    }

    private static String stem(String file) {
        String f = file.replace('\\', '/');
        f = f.substring(f.lastIndexOf('/') + 1);
        int dot = f.lastIndexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }

    private boolean declare(Map<String, Span> names, Name n) {
        Span prev = names.putIfAbsent(n.text(), n.span());
        if (prev != null) {
            error(DiagnosticCode.E011, n.span(), "'" + n.text() + "' is already declared",
                    "first declared at " + prev.start() + "; choose another name");
            return false;
        }
        return true;
    }

    private void declareInputs(List<Statement> st, Map<String, Statement.NormalizeDecl> norms) {
        Map<Integer, String> slots = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Statement s : st) {
            if (!(s instanceof Statement.InputDecl i) || !seen.add(i.name().text())) {
                continue;
            }
            String name = i.name().text();
            Statement.NormalizeDecl n = norms.get(name);
            int width;
            CheckedProgram.Input in;
            if (i.domain() instanceof InputDomain.Categorical c) {
                width = c.values().size();
                Set<String> vals = new HashSet<>();
                for (Name v : c.values()) {
                    if (!vals.add(v.text())) {
                        error(DiagnosticCode.E011, v.span(), "value '" + v.text() + "' listed twice", "list each category once");
                    }
                }
                if (n != null) {
                    error(DiagnosticCode.E015, n.target().span(), "'" + name + "' is categorical and cannot be normalised",
                            "categorical inputs are one-hot blocks of 0/1 slots; remove this normalize line");
                }
                in = new CheckedProgram.Input(name, i.index(), width, true, c.values().stream().map(Name::text).toList(),
                        0, 1, "", 1, 0, i.span());
            } else {
                InputDomain.Real r = (InputDomain.Real) i.domain();
                width = 1;
                double lo = constant(r.lo());
                double hi = constant(r.hi());
                if (lo > hi) {
                    error(DiagnosticCode.E012, r.span(), "domain of '" + name + "' is empty: " + fmt(lo) + " > " + fmt(hi),
                            "write the lower bound first: [" + fmt(hi) + ", " + fmt(lo) + "]");
                }
                double scale = 1;
                double offset = 0;
                if (n != null) {
                    if (n.second() == 0 && n.kind() == Statement.NormKind.MEAN_RANGE || n.first() == 0 && n.kind() == Statement.NormKind.SCALE_OFFSET) {
                        error(DiagnosticCode.E019, n.span(), "normalisation of '" + name + "' divides by zero or collapses the input",
                                "the range (or scale) must be non-zero");
                    } else if (n.kind() == Statement.NormKind.MEAN_RANGE) {
                        scale = 1 / n.second();
                        offset = -n.first() / n.second();
                    } else {
                        scale = n.first();
                        offset = n.second();
                    }
                } else if (!r.unit().isEmpty()) {
                    error(DiagnosticCode.E018, i.span(), "input '" + name + "' is in " + r.unit() + " but has no normalisation",
                            "add `normalize " + name + " mean M range R` (or `scale S offset O`), or drop the unit if the model takes raw values");
                }
                in = new CheckedProgram.Input(name, i.index(), 1, false, List.of(), lo, hi, r.unit(), scale, offset, i.span());
            }
            for (int k = 0; k < width; k++) {
                int slot = i.index() + k;
                String prev = slots.putIfAbsent(slot, name);
                if (prev != null) {
                    error(DiagnosticCode.E013, i.span(), "input '" + name + "' uses model input " + slot + ", already used by '" + prev + "'",
                            width > 1 ? "a categorical input occupies one slot per value, from its index on" : "give each input its own index");
                    break;
                }
            }
            long end = (long) i.index() + width;
            if (options.modelInputs().isPresent() && end > options.modelInputs().getAsInt()) {
                error(DiagnosticCode.E014, i.span(), "input '" + name + "' needs model input " + (end - 1)
                        + " but the model has " + options.modelInputs().getAsInt() + " inputs",
                        "indices start at 0 and must be below the model's input count");
            }
            inputWidth = (int) Math.max(inputWidth, Math.min(end, Integer.MAX_VALUE));
            inputs.put(name, in);
        }
        if (inputWidth > 1_000_000) {
            error(DiagnosticCode.E014, inputs.values().iterator().next().span(), "input indices reach " + inputWidth, "indices must be below 1000000");
            throw new TooComplex();
        }
    }

    private void declareOutputs(List<Statement> st, Map<String, Statement.NormalizeDecl> norms) {
        Map<Integer, String> slots = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Statement s : st) {
            if (!(s instanceof Statement.OutputDecl o) || !seen.add(o.name().text())) {
                continue;
            }
            String name = o.name().text();
            String prev = slots.putIfAbsent(o.index(), name);
            if (prev != null) {
                error(DiagnosticCode.E013, o.span(), "output '" + name + "' uses model output " + o.index() + ", already used by '" + prev + "'",
                        "give each output its own index");
            }
            if (options.modelOutputs().isPresent() && o.index() >= options.modelOutputs().getAsInt()) {
                error(DiagnosticCode.E014, o.span(), "output index " + o.index() + " but the model has "
                        + options.modelOutputs().getAsInt() + " outputs", "indices start at 0");
            }
            double scale = 1;
            double offset = 0;
            Statement.NormalizeDecl n = norms.get(name);
            if (n != null) {
                if (n.second() == 0 && n.kind() == Statement.NormKind.MEAN_RANGE || n.first() == 0 && n.kind() == Statement.NormKind.SCALE_OFFSET) {
                    error(DiagnosticCode.E019, n.span(), "normalisation of '" + name + "' divides by zero or collapses the output",
                            "the range (or scale) must be non-zero");
                } else if (n.kind() == Statement.NormKind.MEAN_RANGE) {
                    scale = 1 / n.second();
                    offset = -n.first() / n.second();
                } else {
                    scale = n.first();
                    offset = n.second();
                }
            }
            outputWidth = Math.max(outputWidth, o.index() + 1);
            outputs.put(name, new CheckedProgram.Output(name, o.index(), scale, offset, o.span()));
        }
        if (outputWidth > 1_000_000) {
            error(DiagnosticCode.E014, outputs.values().iterator().next().span(), "output indices reach " + outputWidth, "indices must be below 1000000");
            throw new TooComplex();
        }
    }

    /** Reports the first cycle leading back to {@code stack[0]}; {@code visited} keeps the search linear. */
    private boolean cycleCheck(String concept, List<String> stack, Set<String> visited) {
        if (!stack.isEmpty() && stack.get(0).equals(concept)) {
            Statement.ConceptDef d = conceptDefs.get(concept);
            cyclic.add(concept);
            error(DiagnosticCode.E022, d.name().span(), "concept '" + concept + "' is defined in terms of itself: "
                    + String.join(" -> ", stack) + " -> " + concept, "break the cycle; concepts must bottom out in inputs");
            return true;
        }
        Statement.ConceptDef d = conceptDefs.get(concept);
        if (d == null || stack.size() > 200 || !visited.add(concept)) {
            return false;
        }
        stack.add(concept);
        Set<String> refs = new java.util.LinkedHashSet<>();
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

    // ---------------------------------------------------------------- name lookup

    private List<String> allNames(boolean in, boolean out, boolean concepts) {
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

    private void undefined(Name n, String kind, List<String> candidates) {
        String best = DidYouMean.suggest(n.text(), candidates);
        error(DiagnosticCode.E010, n.span(), "unknown " + kind + " '" + n.text() + "'",
                best != null ? "did you mean '" + best + "'?"
                        : candidates.isEmpty() ? "declare it first" : "declared: " + String.join(", ", candidates.subList(0, Math.min(8, candidates.size()))));
    }

    private String kindOf(String name) {
        if (inputs.containsKey(name)) {
            return "an input";
        } else if (outputs.containsKey(name)) {
            return "an output";
        } else if (conceptDefs.containsKey(name) || learned.containsKey(name)) {
            return "a concept";
        }
        return null;
    }

    private CheckedProgram.Input input(Name n) {
        CheckedProgram.Input in = inputs.get(n.text());
        if (in == null) {
            String k = kindOf(n.text());
            if (k != null) {
                error(DiagnosticCode.E017, n.span(), "'" + n.text() + "' is " + k + ", not an input", "name an input here");
            } else {
                undefined(n, "input", allNames(true, false, false));
            }
        }
        return in;
    }

    private CheckedProgram.Output output(Name n) {
        CheckedProgram.Output out = outputs.get(n.text());
        if (out == null) {
            String k = kindOf(n.text());
            if (k != null) {
                error(DiagnosticCode.E017, n.span(), "'" + n.text() + "' is " + k + ", not an output", "name an output here");
            } else {
                undefined(n, "output", allNames(false, true, false));
            }
        }
        return out;
    }

    private boolean concept(Name n) {
        usedConcepts.add(n.text());
        if (conceptDefs.containsKey(n.text()) || learned.containsKey(n.text())) {
            return true;
        }
        String k = kindOf(n.text());
        if (k != null) {
            error(DiagnosticCode.E017, n.span(), "'" + n.text() + "' is " + k + ", not a concept", "name a concept here");
        } else {
            undefined(n, "concept", allNames(false, false, true));
        }
        return false;
    }

    // ---------------------------------------------------------------- expressions

    /** A linear form {@code coeffs · v + constant}; null coefficients never happen. */
    private record Lin(double[] coeffs, double constant, boolean ok) {
        boolean isConstant() {
            for (double c : coeffs) {
                if (c != 0) {
                    return false;
                }
            }
            return true;
        }

        Lin scale(double k) {
            double[] c = coeffs.clone();
            for (int i = 0; i < c.length; i++) {
                c[i] *= k;
            }
            return new Lin(c, constant * k, ok);
        }

        Lin plus(Lin o, double sign) {
            double[] c = coeffs.clone();
            for (int i = 0; i < c.length; i++) {
                c[i] += sign * o.coeffs[i];
            }
            return new Lin(c, constant + sign * o.constant, ok && o.ok);
        }
    }

    private enum Ctx { CONSTANT, INPUTS, OUTPUTS }

    private double constant(Expr e) {
        Lin l = linear(e, Ctx.CONSTANT, 0);
        return l.ok ? l.constant : 0;
    }

    private Lin linear(Expr e, Ctx ctx, int depth) {
        int dim = ctx == Ctx.INPUTS ? inputWidth : ctx == Ctx.OUTPUTS ? outputWidth : 0;
        if (depth > 400) {
            error(DiagnosticCode.E024, e.span(), "expression too deeply nested", "simplify it");
            return new Lin(new double[dim], 0, false);
        }
        if (e instanceof Expr.Num n) {
            return new Lin(new double[dim], n.value(), true);
        } else if (e instanceof Expr.Pi) {
            return new Lin(new double[dim], Math.PI, true);
        } else if (e instanceof Expr.Neg n) {
            return linear(n.operand(), ctx, depth + 1).scale(-1);
        } else if (e instanceof Expr.Var v) {
            return variable(v.name(), ctx, dim);
        }
        Expr.Binary b = (Expr.Binary) e;
        Lin l = linear(b.left(), ctx, depth + 1);
        Lin r = linear(b.right(), ctx, depth + 1);
        switch (b.op()) {
            case ADD:
                return l.plus(r, 1);
            case SUB:
                return l.plus(r, -1);
            case MUL:
                if (l.isConstant()) {
                    return r.scale(l.constant);
                } else if (r.isConstant()) {
                    return l.scale(r.constant);
                }
                error(DiagnosticCode.E016, b.span(), "product of two variables", "rules must be linear: multiply variables by constants only");
                return new Lin(new double[dim], 0, false);
            default:
                if (!r.isConstant()) {
                    error(DiagnosticCode.E016, b.span(), "division by a variable", "rules must be linear: divide by constants only");
                    return new Lin(new double[dim], 0, false);
                }
                if (r.constant == 0 && r.ok) {
                    error(DiagnosticCode.E021, b.right().span(), "division by zero", "divide by a non-zero constant");
                    return new Lin(new double[dim], 0, false);
                }
                return r.ok ? l.scale(1 / r.constant) : new Lin(new double[dim], 0, false);
        }
    }

    private Lin variable(Name n, Ctx ctx, int dim) {
        String name = n.text();
        Lin bad = new Lin(new double[dim], 0, false);
        if (ctx == Ctx.CONSTANT) {
            if (kindOf(name) != null) {
                error(DiagnosticCode.E021, n.span(), "'" + name + "' is not a constant", "bounds and parameters must be numbers (pi and arithmetic allowed)");
            } else {
                error(DiagnosticCode.E010, n.span(), "unknown name '" + name + "' in a constant", "only numbers, pi and arithmetic are allowed here");
            }
            return bad;
        }
        if (ctx == Ctx.INPUTS) {
            CheckedProgram.Input in = inputs.get(name);
            if (in == null) {
                String k = kindOf(name);
                if (k != null) {
                    error(DiagnosticCode.E017, n.span(), "'" + name + "' is " + k + "; a premise compares inputs",
                            k.equals("a concept") ? "use the concept on its own, e.g. `when " + name + "`" : "outputs belong after `then`/`ensure`");
                } else {
                    undefined(n, "input", allNames(true, false, false));
                }
                return bad;
            }
            if (in.categorical()) {
                error(DiagnosticCode.E015, n.span(), "'" + name + "' is categorical and cannot be used as a number",
                        "test it with `" + name + " is " + in.values().get(0) + "`");
                return bad;
            }
            double[] c = new double[dim];
            c[in.index()] = 1;
            return new Lin(c, 0, true);
        }
        CheckedProgram.Output out = outputs.get(name);
        if (out == null) {
            String k = kindOf(name);
            if (k != null) {
                error(DiagnosticCode.E017, n.span(), "'" + name + "' is " + k + "; a consequent constrains outputs", "inputs belong after `when`/`over`");
            } else {
                undefined(n, "output", allNames(false, true, false));
            }
            return bad;
        }
        double[] c = new double[dim];
        c[out.index()] = 1;
        return new Lin(c, 0, true);
    }

    /** Constraints for {@code a op b}; {@code negated} flips the comparison. Each inner list is a disjunction. */
    private List<List<Linear>> comparison(Lin a, CmpOp op, Lin b, boolean negated) {
        Lin d = a.plus(b, -1); // d = a - b, constraint d op 0
        Linear le = new Linear(d.coeffs, -d.constant, false);          // a <= b
        Linear lt = new Linear(d.coeffs, -d.constant, true);           // a < b
        Lin m = d.scale(-1);
        Linear ge = new Linear(m.coeffs, -m.constant, false);          // a >= b
        Linear gt = new Linear(m.coeffs, -m.constant, true);           // a > b
        switch (op) {
            case LE:
                return List.of(List.of(negated ? gt : le));
            case LT:
                return List.of(List.of(negated ? ge : lt));
            case GE:
                return List.of(List.of(negated ? lt : ge));
            case GT:
                return List.of(List.of(negated ? le : gt));
            default:
                return negated ? List.of(List.of(lt, gt)) : List.of(List.of(le), List.of(ge));
        }
    }

    // ---------------------------------------------------------------- premises (DNF)

    /** A DNF case under construction: a conjunction of linear constraints and learned-concept literals. */
    private static final class Case {
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

        private void leaves(java.util.function.Consumer<Case> f) {
            java.util.ArrayDeque<Case> stack = new java.util.ArrayDeque<>();
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

    private static final Case TRUE = new Case(List.of(), List.of());

    private List<Case> lowerPremise(Premise p, boolean negated, boolean inProperty) {
        return lowerPremise(p, negated, inProperty, 0, new ArrayList<>());
    }

    private List<Case> lowerPremise(Premise p, boolean negated, boolean inProperty, int depth, List<String> expanding) {
        if (depth > 400) {
            error(DiagnosticCode.E024, p.span(), "premise too deeply nested", "name parts of it as concepts");
            throw new TooComplex();
        }
        if (p instanceof Premise.Not n) {
            return lowerPremise(n.operand(), !negated, inProperty, depth + 1, expanding);
        } else if ((p instanceof Premise.And && !negated) || (p instanceof Premise.Or && negated)) {
            List<Premise> items = p instanceof Premise.And a ? a.items() : ((Premise.Or) p).items();
            List<Case> acc = List.of(TRUE);
            for (Premise item : items) {
                List<Case> next = lowerPremise(item, negated, inProperty, depth + 1, expanding);
                List<Case> prod = new ArrayList<>();
                for (Case x : acc) {
                    for (Case y : next) {
                        prod.add(x.and(y));
                    }
                }
                acc = limit(prod, p.span());
            }
            return acc;
        } else if (p instanceof Premise.And || p instanceof Premise.Or) {
            List<Premise> items = p instanceof Premise.And a ? a.items() : ((Premise.Or) p).items();
            List<Case> acc = new ArrayList<>();
            for (Premise item : items) {
                acc.addAll(lowerPremise(item, negated, inProperty, depth + 1, expanding));
                limit(acc, p.span());
            }
            return acc;
        } else if (p instanceof Premise.Compare c) {
            List<Lin> ls = new ArrayList<>();
            for (Expr e : c.operands()) {
                ls.add(linear(e, Ctx.INPUTS, depth));
            }
            List<List<Linear>> cnf = new ArrayList<>();
            for (int i = 0; i < c.ops().size(); i++) {
                cnf.addAll(comparison(ls.get(i), c.ops().get(i), ls.get(i + 1), false));
            }
            return fromCnf(cnf, negated, p.span());
        } else if (p instanceof Premise.InInterval iv) {
            Lin e = linear(iv.expr(), Ctx.INPUTS, depth);
            double lo = constant(iv.lo());
            double hi = constant(iv.hi());
            if (lo > hi) {
                error(DiagnosticCode.E012, iv.span(), "interval [" + fmt(lo) + ", " + fmt(hi) + "] is empty",
                        "write the lower bound first");
            }
            Lin loL = new Lin(new double[inputWidth], lo, true);
            Lin hiL = new Lin(new double[inputWidth], hi, true);
            List<List<Linear>> cnf = new ArrayList<>();
            cnf.addAll(comparison(loL, CmpOp.LE, e, false));
            cnf.addAll(comparison(e, CmpOp.LE, hiL, false));
            return fromCnf(cnf, negated, p.span());
        } else if (p instanceof Premise.IsValue v) {
            CheckedProgram.Input in = inputs.get(v.feature().text());
            if (in == null) {
                String k = kindOf(v.feature().text());
                if (k != null) {
                    error(DiagnosticCode.E015, v.feature().span(), "'" + v.feature().text() + "' is " + k + ", not a categorical input",
                            "`is` tests a categorical input; compare numbers with <=, >=, = or `in [a, b]`");
                } else {
                    undefined(v.feature(), "input", allNames(true, false, false));
                }
                return List.of(TRUE);
            }
            if (!in.categorical()) {
                error(DiagnosticCode.E015, v.feature().span(), "'" + in.name() + "' is a number, not a categorical input",
                        "compare numbers with <=, >=, = or `in [a, b]`");
                return List.of(TRUE);
            }
            int k = in.values().indexOf(v.value().text());
            if (k < 0) {
                String best = DidYouMean.suggest(v.value().text(), in.values());
                error(DiagnosticCode.E010, v.value().span(), "'" + in.name() + "' has no value '" + v.value().text() + "'",
                        best != null ? "did you mean '" + best + "'?" : "values: " + String.join(", ", in.values()));
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
        Premise.ConceptRef r = (Premise.ConceptRef) p;
        String name = r.name().text();
        usedConcepts.add(name);
        Statement.ConceptDef def = conceptDefs.get(name);
        if (def != null) {
            if (expanding.contains(name) || cyclic.contains(name)) {
                return List.of(TRUE); // cycle, reported by cycleCheck
            }
            // a concept is lowered once per polarity and context: re-expanding it at every use made shared
            // sub-concepts exponential, and repeated its diagnostics
            String key = name + (negated ? "|not" : "|") + (inProperty ? "|property" : "|rule");
            List<Case> known = conceptCases.get(key);
            if (known != null) {
                return known;
            }
            expanding.add(name);
            List<Case> cs = lowerPremise(def.premise(), negated, inProperty, depth + 1, expanding);
            expanding.remove(expanding.size() - 1);
            conceptCases.put(key, cs);
            return cs;
        }
        if (learned.containsKey(name)) {
            if (inProperty) {
                error(DiagnosticCode.E026, r.span(), "learned concept '" + name + "' in a property",
                        "a property's region must be decidable from the inputs alone; use it in a rule instead");
            }
            return List.of(new Case(List.of(), List.of(new PremiseCase.ConceptLiteral(name, negated))));
        }
        String k = kindOf(name);
        if (k != null) {
            error(DiagnosticCode.E017, r.span(), "'" + name + "' is " + k + ", not a condition",
                    "compare it, e.g. `" + name + " >= 0`");
        } else {
            undefined(r.name(), "concept", allNames(true, false, true));
        }
        return List.of(TRUE);
    }

    private List<Linear> oneHot(CheckedProgram.Input in, int hot) {
        List<Linear> cons = new ArrayList<>();
        for (int j = 0; j < in.width(); j++) {
            double[] c = new double[inputWidth];
            c[in.index() + j] = 1;
            double v = j == hot ? 1 : 0;
            cons.add(new Linear(c, v, false));
            double[] m = new double[inputWidth];
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
        if (xs.size() > MAX_CASES) {
            error(DiagnosticCode.E024, span, "this condition expands to more than " + MAX_CASES + " cases",
                    "split the rule into several rules, or name parts as concepts");
            throw new TooComplex();
        }
        return xs;
    }

    // ---------------------------------------------------------------- consequents (CNF)

    private List<List<Linear>> lowerConsequent(Consequent c, int depth) {
        if (depth > 400) {
            error(DiagnosticCode.E024, c.span(), "consequent too deeply nested", "simplify it");
            throw new TooComplex();
        }
        if (c instanceof Consequent.And a) {
            List<List<Linear>> out = new ArrayList<>();
            for (Consequent x : a.items()) {
                out.addAll(lowerConsequent(x, depth + 1));
            }
            return limit(out, c.span());
        } else if (c instanceof Consequent.Or o) {
            // (A1 and A2) or (B1 and B2) = (A1 or B1) and (A1 or B2) and ...: one clause per choice of a clause
            // from every disjunct. Sized first, then each clause built once (no quadratic copying on long chains).
            List<List<List<Linear>>> parts = new ArrayList<>();
            long count = 1;
            for (Consequent x : o.items()) {
                List<List<Linear>> next = lowerConsequent(x, depth + 1);
                parts.add(next);
                count = Math.min(count * next.size(), MAX_CASES + 1L);
            }
            if (count > MAX_CASES) {
                error(DiagnosticCode.E024, c.span(), "this condition expands to more than " + MAX_CASES + " cases",
                        "split the rule into several rules, or name parts as concepts");
                throw new TooComplex();
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
        } else if (c instanceof Consequent.Compare cmp) {
            List<Lin> ls = new ArrayList<>();
            for (Expr e : cmp.operands()) {
                ls.add(linear(e, Ctx.OUTPUTS, depth));
            }
            List<List<Linear>> cnf = new ArrayList<>();
            for (int i = 0; i < cmp.ops().size(); i++) {
                cnf.addAll(comparison(ls.get(i), cmp.ops().get(i), ls.get(i + 1), false));
            }
            return cnf;
        }
        Consequent.Predicate p = (Consequent.Predicate) c;
        CheckedProgram.Output out = output(p.output());
        if (out == null) {
            return List.of();
        }
        Consequent.PredKind kind = p.kind();
        if (kind == Consequent.PredKind.DECISION) {
            if (decide == null) {
                error(DiagnosticCode.E020, p.span(), "'the decision' needs a decide statement",
                        "add `decide argmax` or `decide argmin`, or say `maximal`/`minimal`");
                return List.of();
            }
            kind = decide == Statement.Direction.ARGMIN ? Consequent.PredKind.MINIMAL : Consequent.PredKind.MAXIMAL;
        }
        boolean minimal = kind == Consequent.PredKind.MINIMAL;
        List<List<Linear>> cnf = new ArrayList<>();
        List<Linear> clause = new ArrayList<>();
        for (CheckedProgram.Output o : outputs.values()) {
            if (o.index() == out.index()) {
                continue;
            }
            double[] c2 = new double[outputWidth];
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

    // ---------------------------------------------------------------- rules

    private CheckedRule lowerRule(String name, String doc, Span span, boolean verifyOnly, Optional<Statement.Strategy> strategy,
                                  double margin, Premise premise, Consequent consequent) {
        int before = errorCount();
        List<Case> cases;
        List<List<Linear>> cnf;
        try {
            cases = lowerPremise(premise, false, verifyOnly);
            cnf = withMargin(lowerConsequent(consequent, 0), margin);
        } catch (TooComplex e) {
            return null;
        }
        if (errorCount() > before) {
            return null;
        }
        List<PremiseCase> real = new ArrayList<>();
        List<PremiseCase> model = new ArrayList<>();
        for (Case c : cases) {
            PremiseCase pc = toBox(c);
            if (pc != null) {
                real.add(pc);
                model.add(toModel(pc));
            }
        }
        if (real.isEmpty()) {
            diags.add(Diagnostic.warning(DiagnosticCode.W101, premise.span(),
                    (verifyOnly ? "property '" : "rule '") + name + "' can never apply: no input in the declared domain satisfies its premise",
                    "check the bounds against the input declarations"));
        } else {
            for (Case c : cases) {
                String out = outsideDomain(c);
                if (out != null) {
                    diags.add(Diagnostic.warning(DiagnosticCode.W102, premise.span(),
                            "the premise of " + (verifyOnly ? "property '" : "rule '") + name + "' reaches outside the declared domain: "
                                    + out + "; the part outside is ignored",
                            "tighten the bound to the domain, or widen the input declaration"));
                    break;
                }
            }
        }
        List<List<Linear>> cnfModel = new ArrayList<>();
        for (List<Linear> clause : cnf) {
            cnfModel.add(clause.stream().map(this::outputToModel).toList());
        }
        return new CheckedRule(name, doc, span, verifyOnly, strategy, margin, real, model, cnf, cnfModel);
    }

    /**
     * The consequent tightened by {@code margin} output units: every literal {@code a . y <= b} becomes
     * {@code a . y <= b - margin * max|a_j|} (so a decision predicate must win by {@code margin}).
     */
    private static List<List<Linear>> withMargin(List<List<Linear>> cnf, double margin) {
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

    private int errorCount() {
        return errors;
    }

    /**
     * Describes the first bound of {@code c} on a single real input that lies strictly outside the input's declared
     * domain (an upper bound above it, a lower bound below it), or null when every bound is inside.
     */
    private String outsideDomain(Case c) {
        for (Linear l : c.cons()) {
            int var = -1;
            int count = 0;
            double[] co = l.coefficients();
            for (int i = 0; i < co.length && count < 2; i++) {
                if (co[i] != 0) {
                    var = i;
                    count++;
                }
            }
            if (count != 1) {
                continue;
            }
            CheckedProgram.Input in = null;
            for (CheckedProgram.Input x : inputs.values()) {
                if (!x.categorical() && x.index() == var) {
                    in = x;
                }
            }
            if (in == null) {
                continue;
            }
            double v = l.bound() / co[var];
            double tol = 1e-9 * Math.max(1, Math.abs(v));
            if (co[var] > 0 && v > in.hi() + tol) {
                return in.name() + (l.strict() ? " < " : " <= ") + fmt(v) + " but " + in.name() + " is at most " + fmt(in.hi());
            }
            if (co[var] < 0 && v < in.lo() - tol) {
                return in.name() + (l.strict() ? " > " : " >= ") + fmt(v) + " but " + in.name() + " is at least " + fmt(in.lo());
            }
        }
        return null;
    }

    /** Intersects a case with the declared domain; single-variable constraints become box bounds. Null if empty. */
    private PremiseCase toBox(Case c) {
        double[] lo = new double[inputWidth];
        double[] hi = new double[inputWidth];
        Arrays.fill(lo, Double.NEGATIVE_INFINITY);
        Arrays.fill(hi, Double.POSITIVE_INFINITY);
        for (CheckedProgram.Input in : inputs.values()) {
            for (int k = 0; k < in.width(); k++) {
                lo[in.index() + k] = in.lo();
                hi[in.index() + k] = in.hi();
            }
        }
        List<Linear> rest = new ArrayList<>();
        for (Linear l : c.cons()) {
            int var = -1;
            int count = 0;
            for (int i = 0; i < l.coefficients().length; i++) {
                if (l.coefficients()[i] != 0) {
                    var = i;
                    count++;
                }
            }
            if (count == 0) {
                if (l.strict() ? !(0 < l.bound()) : !(0 <= l.bound())) {
                    return null;
                }
            } else if (count == 1) {
                double a = l.coefficients()[var];
                double v = l.bound() / a;
                if (a > 0) {
                    hi[var] = Math.min(hi[var], v);
                } else {
                    lo[var] = Math.max(lo[var], v);
                }
                if (l.strict() && lo[var] >= hi[var]) {
                    return null;
                }
            } else {
                rest.add(l);
            }
        }
        for (int i = 0; i < inputWidth; i++) {
            if (lo[i] > hi[i]) {
                return null;
            }
        }
        for (Linear l : rest) {
            double min = 0;
            for (int i = 0; i < inputWidth; i++) {
                double a = l.coefficients()[i];
                if (a > 0) {
                    min += a * lo[i];
                } else if (a < 0) {
                    min += a * hi[i];
                }
            }
            if (min > l.bound() || (l.strict() && min >= l.bound())) {
                return null;
            }
        }
        return new PremiseCase(lo, hi, rest, c.learned());
    }

    private double slotScale(int slot) {
        for (CheckedProgram.Input in : inputs.values()) {
            if (slot >= in.index() && slot < in.index() + in.width()) {
                return in.scale();
            }
        }
        return 1;
    }

    private double slotOffset(int slot) {
        for (CheckedProgram.Input in : inputs.values()) {
            if (slot >= in.index() && slot < in.index() + in.width()) {
                return in.offset();
            }
        }
        return 0;
    }

    private PremiseCase toModel(PremiseCase c) {
        int n = inputWidth;
        double[] lo = new double[n];
        double[] hi = new double[n];
        double[] scale = new double[n];
        double[] offset = new double[n];
        for (int i = 0; i < n; i++) {
            scale[i] = slotScale(i);
            offset[i] = slotOffset(i);
            double a = c.lo()[i] * scale[i] + offset[i];
            double b = c.hi()[i] * scale[i] + offset[i];
            lo[i] = Math.min(a, b);
            hi[i] = Math.max(a, b);
        }
        List<Linear> cons = new ArrayList<>();
        for (Linear l : c.constraints()) {
            cons.add(affine(l, scale, offset));
        }
        return new PremiseCase(lo, hi, cons, c.learned());
    }

    /** Rewrites {@code a·x <= b} over real units into model units where {@code m = x*scale + offset}. */
    private static Linear affine(Linear l, double[] scale, double[] offset) {
        double[] c = new double[l.coefficients().length];
        double bound = l.bound();
        for (int i = 0; i < c.length; i++) {
            double a = l.coefficients()[i];
            if (a != 0) {
                c[i] = a / scale[i];
                bound += a * offset[i] / scale[i];
            }
        }
        return new Linear(c, bound, l.strict());
    }

    private Linear outputToModel(Linear l) {
        double[] scale = new double[outputWidth];
        double[] offset = new double[outputWidth];
        Arrays.fill(scale, 1);
        for (CheckedProgram.Output o : outputs.values()) {
            scale[o.index()] = o.scale();
            offset[o.index()] = o.offset();
        }
        return affine(l, scale, offset);
    }

    private static String fmt(double v) {
        return dev.engram.parse.AstPrinter.number(v);
    }
}
