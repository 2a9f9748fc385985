package dev.engram.check;

import dev.engram.ast.Consequent;
import dev.engram.ast.Name;
import dev.engram.ast.Premise;
import dev.engram.ast.RuleFile;
import dev.engram.ast.Statement;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.diag.Diagnosed;
import dev.engram.parse.RuleParser;
import dev.engram.source.SourceFile;
import dev.engram.source.Span;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The semantic checker, the stage {@code AST → checked program}: resolves names, checks declarations, types and
 * linearity, and brings every rule and property into normal form in the rule file's real units
 * ({@link CheckedProgram}). Its parts: {@link Declarations} (names, layout, normalisations), {@link LinearForms}
 * (expressions), {@link NormalForms} (premise and consequent normal forms), {@link DomainClip} (the declared
 * domain). Reports every problem it finds as a diagnostic; never throws for any AST. Knows nothing of models
 * beyond their input and output counts ({@link ModelFit}).
 */
public final class Checker {
    /** Largest normal form (cases of a premise, clauses of a consequent) accepted. */
    public static final int MAX_CASES = 4096;

    private final String path;
    private final Scope scope;
    private final NormalForms forms;
    private final DomainClip clip;

    private Checker(String path, CheckOptions options) {
        this.path = path;
        this.scope = new Scope(options);
        this.forms = new NormalForms(scope);
        this.clip = new DomainClip(scope);
    }

    /** Parses and checks one source file. */
    public static Diagnosed<CheckedProgram> check(SourceFile source, CheckOptions options) {
        Diagnosed<RuleFile> parsed = RuleParser.parse(source);
        if (parsed.value().isEmpty()) {
            return new Diagnosed<>(Optional.empty(), sorted(parsed.diagnostics()));
        }
        Diagnosed<CheckedProgram> r = check(parsed.value().get(), source.path(), options);
        List<Diagnostic> all = new ArrayList<>(parsed.diagnostics());
        all.addAll(r.diagnostics());
        return new Diagnosed<>(r.value(), sorted(all));
    }

    /** Checks an AST. */
    public static Diagnosed<CheckedProgram> check(RuleFile file, String path, CheckOptions options) {
        Checker c = new Checker(path, options);
        CheckedProgram p;
        try {
            p = c.run(file);
        } catch (Scope.TooComplex e) {
            p = null;
        }
        boolean errors = c.scope.diags.stream().anyMatch(Diagnostic::isError);
        return new Diagnosed<>(errors || p == null ? Optional.empty() : Optional.of(p), sorted(c.scope.diags));
    }

    /** Diagnostics in source order (stable: those at one position keep the order they were found in). */
    public static List<Diagnostic> sorted(List<Diagnostic> ds) {
        List<Diagnostic> out = new ArrayList<>(ds);
        out.sort(Comparator.comparing((Diagnostic d) -> d.span().start()));
        return out;
    }

    /** The statements that use the declared names, collected into a checked program. */
    private final class Statements {
        final List<CheckedRule> rules = new ArrayList<>();
        final List<CheckedRule> properties = new ArrayList<>();
        final List<CheckedProgram.Invariance> invariances = new ArrayList<>();
        final List<CheckedProgram.Monotonicity> monotonicities = new ArrayList<>();
        final List<CheckedProgram.Erasure> erasures = new ArrayList<>();
        final List<CheckedProgram.Steering> steerings = new ArrayList<>();
        final List<CheckedProgram.VnnlibImport> imports = new ArrayList<>();
        final Map<String, Span> ruleNames = new HashMap<>();

        void add(Statement s) {
            if (s instanceof Statement.ConceptDef c) {
                forms.premise(c.premise(), false, false);
            } else if (s instanceof Statement.RuleStmt r) {
                scope.declare(ruleNames, r.name());
                double margin = r.margin().orElse(0);
                if (margin < 0) {
                    scope.error(DiagnosticCode.E023, r.span(), "negative margin " + Scope.fmt(margin),
                            "a margin is a distance; write a value >= 0");
                }
                rule(r.name().text(), r.doc(), r.span(), false, r.strategy(), margin, r.when(), r.then())
                        .ifPresent(rules::add);
            } else if (s instanceof Statement.PropertyStmt p) {
                scope.declare(ruleNames, p.name());
                rule(p.name().text(), p.doc(), p.span(), true, Optional.empty(), 0, p.over(), p.ensure())
                        .ifPresent(properties::add);
            } else if (s instanceof Statement.IgnoreStmt ig) {
                CheckedProgram.Input in = scope.input(ig.input());
                if (in != null) {
                    List<Integer> slots = new ArrayList<>();
                    for (int k = 0; k < in.width(); k++) {
                        slots.add(in.index() + k);
                    }
                    invariances.add(new CheckedProgram.Invariance(in.name(), slots, ig.doc(), ig.span()));
                }
            } else if (s instanceof Statement.MonotoneStmt m) {
                monotone(m);
            } else if (s instanceof Statement.EraseStmt e) {
                if (scope.concept(e.concept())) {
                    erasures.add(new CheckedProgram.Erasure(e.concept().text(), e.layer(), e.doc(), e.span()));
                }
            } else if (s instanceof Statement.SteerStmt sv) {
                if (scope.concept(sv.concept())) {
                    steerings.add(new CheckedProgram.Steering(sv.concept().text(), sv.layer(), sv.strength(), sv.doc(),
                            sv.span()));
                }
            } else if (s instanceof Statement.ImportVnnlib im) {
                imports.add(vnnlibImport(im));
            }
        }

        private void monotone(Statement.MonotoneStmt m) {
            int before = scope.errorCount();
            CheckedProgram.Input in = scope.input(m.input());
            LinearForms.Lin form = new LinearForms(scope).linear(m.output(), LinearForms.Ctx.OUTPUTS, 0);
            if (in != null && in.categorical()) {
                scope.error(DiagnosticCode.E015, m.input().span(), "'" + in.name() + "' is categorical: it has no order",
                        "monotonicity needs a real-valued input");
            }
            if (form.ok() && form.isConstant()) {
                scope.error(DiagnosticCode.E015, m.output().span(), "'monotone' needs an expression over the outputs",
                        "name an output, or a linear form of outputs such as 'good - bad'");
            }
            List<NormalForms.Case> cases;
            try {
                cases = m.over().isPresent() ? forms.premise(m.over().get(), false, true) : List.of(NormalForms.TRUE);
            } catch (Scope.TooComplex e) {
                return;
            }
            if (in == null || scope.errorCount() > before) {
                return;
            }
            List<PremiseCase> region = new ArrayList<>();
            for (NormalForms.Case c : cases) {
                PremiseCase pc = clip.toBox(c);
                if (pc != null) {
                    region.add(pc);
                }
            }
            if (region.isEmpty()) {
                scope.warning(DiagnosticCode.W101, m.over().map(Premise::span).orElse(m.span()), "'monotone "
                        + dev.engram.parse.AstPrinter.expr(m.output()) + " in " + in.name() + "' can never apply: no "
                        + "input in the declared domain satisfies its region", "check the bounds against the input "
                        + "declarations");
            }
            monotonicities.add(new CheckedProgram.Monotonicity(dev.engram.parse.AstPrinter.expr(m.output()),
                    form.coeffs(), m.increasing(), in.name(), in.index(), region, m.doc(), m.span()));
        }

        private CheckedProgram.VnnlibImport vnnlibImport(Statement.ImportVnnlib im) {
            String name = im.name().map(Name::text).orElse(stem(im.file()));
            if (im.name().isPresent()) {
                scope.declare(ruleNames, im.name().get());
            }
            String target = im.file();
            if (scope.options.baseDir() != null) {
                Path p = resolve(im.file());
                if (p == null) {
                    scope.error(DiagnosticCode.E025, im.span(), "\"" + printable(im.file()) + "\" is not a valid file path",
                            "write a relative path without control characters");
                } else {
                    target = p.toString();
                    if (!Files.isRegularFile(p)) {
                        scope.error(DiagnosticCode.E025, im.span(), "cannot find VNN-LIB file \"" + printable(im.file())
                                + "\"", "paths are relative to the rule file's folder (" + scope.options.baseDir() + ")");
                    }
                }
            }
            return new CheckedProgram.VnnlibImport(target, im.asRule(), name, im.doc(), im.span());
        }
    }

    private CheckedProgram run(RuleFile file) {
        List<Statement> st = file.statements();
        Optional<String> model = Declarations.declare(scope, st);
        Statements s = new Statements();
        st.forEach(s::add);
        unused();
        List<CheckedProgram.LearnedConcept> lc = new ArrayList<>();
        for (Statement.ConceptFromData c : scope.learned.values()) {
            Path resolved = scope.options.baseDir() == null ? null : resolve(c.file());
            String f = resolved == null ? c.file() : resolved.toString();
            lc.add(new CheckedProgram.LearnedConcept(c.name().text(), f, c.column(), c.layer(), c.doc(), c.span()));
        }
        return new CheckedProgram(path, model, scope.inputWidth, scope.outputWidth, List.copyOf(scope.inputs.values()),
                List.copyOf(scope.outputs.values()), Optional.ofNullable(scope.decide), s.rules, s.properties,
                s.invariances, s.monotonicities, lc, s.erasures, s.steerings, s.imports);
    }

    /** W103 for every concept never used. */
    private void unused() {
        for (Statement.ConceptDef c : scope.conceptDefs.values()) {
            if (!scope.usedConcepts.contains(c.name().text())) {
                scope.warning(DiagnosticCode.W103, c.name().span(), "concept '" + c.name().text() + "' is never used",
                        "use it in a rule, or remove it");
            }
        }
        for (Statement.ConceptFromData c : scope.learned.values()) {
            if (!scope.usedConcepts.contains(c.name().text())) {
                scope.warning(DiagnosticCode.W103, c.name().span(), "concept '" + c.name().text() + "' is never used",
                        "erase it, steer toward it, use it in a rule, or remove it");
            }
        }
    }

    /** A rule or property in normal form, or empty after errors in it. */
    private Optional<CheckedRule> rule(String name, String doc, Span span, boolean verifyOnly,
                                       Optional<Statement.Strategy> strategy, double margin, Premise premise,
                                       Consequent consequent) {
        int before = scope.errorCount();
        List<NormalForms.Case> cases;
        List<List<Linear>> cnf;
        try {
            cases = forms.premise(premise, false, verifyOnly);
            cnf = NormalForms.withMargin(forms.consequent(consequent, 0), margin);
        } catch (Scope.TooComplex e) {
            return Optional.empty();
        }
        if (scope.errorCount() > before) {
            return Optional.empty();
        }
        List<PremiseCase> clipped = new ArrayList<>();
        for (NormalForms.Case c : cases) {
            PremiseCase pc = clip.toBox(c);
            if (pc != null) {
                clipped.add(pc);
            }
        }
        String what = (verifyOnly ? "property '" : "rule '") + name;
        if (clipped.isEmpty()) {
            scope.warning(DiagnosticCode.W101, premise.span(), what + "' can never apply: no input in the declared "
                    + "domain satisfies its premise", "check the bounds against the input declarations");
        } else {
            for (NormalForms.Case c : cases) {
                String out = clip.outsideDomain(c);
                if (out != null) {
                    scope.warning(DiagnosticCode.W102, premise.span(), "the premise of " + what
                                    + "' reaches outside the declared domain: " + out + "; the part outside is ignored",
                            "tighten the bound to the domain, or widen the input declaration");
                    break;
                }
            }
        }
        return Optional.of(new CheckedRule(name, doc, span, verifyOnly, strategy, margin, clipped, cnf));
    }

    /** {@code file} against the base folder, or null when it is not a valid path on this system. */
    private Path resolve(String file) {
        try {
            return scope.options.baseDir().resolve(file).normalize();
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
}
