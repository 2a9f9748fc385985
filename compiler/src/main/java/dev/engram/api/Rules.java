package dev.engram.api;

import dev.engram.ast.Consequent;
import dev.engram.ast.InputDomain;
import dev.engram.ast.Name;
import dev.engram.ast.Premise;
import dev.engram.ast.Statement;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.parse.AstPrinter;
import dev.engram.source.SourceFile;
import dev.engram.source.Span;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Rules built in Java instead of written in a file: the same statements as the rule language (inputs in real units
 * with their normalisation, outputs, the decision, concepts, rules, properties, {@code ignore}), written out as rule
 * text ({@link #source()}) that the compiler reads through exactly the path a rule file takes, so both give the same
 * IR. Positions in that text are the synthetic positions of every diagnostic: {@code <api:loan>:12:10: error[E010]}
 * points at line 12 of {@link #text()}.
 *
 * <p>Problems the builder finds itself (a name that is not a name, a {@code usingRepair()} with no rule before it)
 * are diagnostics too ({@link #diagnostics()}), at the line where the statement would have been; nothing throws. See
 * the package documentation for complete examples.
 *
 * @param name        the rules' name, shown as the file {@code <api:NAME>} in diagnostics
 * @param source      the rule text (what the compiler reads)
 * @param baseDir     the folder relative paths in the rules ({@code model}) are resolved against
 * @param diagnostics what the builder could not write (errors); the checker's findings come from compiling
 */
public record Rules(String name, SourceFile source, Path baseDir, List<Diagnostic> diagnostics) {
    public Rules {
        diagnostics = List.copyOf(diagnostics);
    }

    /** A builder; {@code name} names the synthetic file in diagnostics. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder named {@code rules}. */
    public static Builder builder() {
        return builder("rules");
    }

    /** The rule text. */
    public String text() {
        return source.text();
    }

    /** True when the builder wrote every statement (the checker may still find errors). */
    public boolean ok() {
        return diagnostics.stream().noneMatch(Diagnostic::isError);
    }

    /**
     * Declarations and rules, in the order they are added. Inputs take the next free model slots (a categorical
     * input one per value) unless given an index; outputs likewise.
     */
    public static final class Builder {
        private final String name;
        private final List<Entry> entries = new ArrayList<>();
        private final Writable writable = new Writable();
        private Path baseDir = Path.of("").toAbsolutePath();
        private String doc = "";
        private int nextInput;
        private int nextOutput;
        private int lastRule = -1;

        private Builder(String name) {
            this.name = Writable.isName(name) ? name : "rules";
        }

        /** One statement, or why it could not be written (then {@code problems} is not empty). */
        private record Entry(Statement statement, List<String> problems) {
        }

        private Builder add(Statement s) {
            entries.add(new Entry(s, writable.problems(s)));
            doc = "";
            return this;
        }

        private Builder problem(Statement s, String problem) {
            entries.add(new Entry(s, List.of(problem)));
            return this;
        }

        private static Name n(String text) {
            return new Name(text, Span.NONE);
        }

        /** The folder relative paths are resolved against (default: the working directory). */
        public Builder optBaseDir(Path dir) {
            this.baseDir = dir.toAbsolutePath();
            return this;
        }

        /** A documentation comment for the next statement (shown in reports, like {@code ///} in a file). */
        public Builder doc(String text) {
            this.doc = text == null ? "" : text.strip();
            return this;
        }

        /** {@code model "path"}: the model the rules are written for, relative to the base folder. */
        public Builder model(String path) {
            return add(new Statement.ModelDecl(path, doc, Span.NONE));
        }

        /** A real input at the next free slot, in the model's own units: {@code input NAME at i in [lo, hi]}. */
        public Builder input(String name, double lo, double hi) {
            return input(name, nextInput, lo, hi, "");
        }

        /** A real input in real units ({@code unit}, e.g. {@code "years"}); give its {@link #normalize}. */
        public Builder input(String name, double lo, double hi, String unit) {
            return input(name, nextInput, lo, hi, unit);
        }

        /** A real input at model slot {@code index}. */
        public Builder input(String name, int index, double lo, double hi, String unit) {
            nextInput = index + 1;
            return add(new Statement.InputDecl(n(name), index, new InputDomain.Real(Linear.of(lo).expr(),
                    Linear.of(hi).expr(), unit == null ? "" : unit, Span.NONE), doc, Span.NONE));
        }

        /** A categorical input: a one-hot block over the next {@code values.length} slots. */
        public Builder categorical(String name, String... values) {
            int index = nextInput;
            nextInput += values.length;
            return add(new Statement.InputDecl(n(name), index, new InputDomain.Categorical(
                    java.util.Arrays.stream(values).map(Builder::n).toList(), Span.NONE), doc, Span.NONE));
        }

        /** {@code normalize NAME mean m range r}: the model sees {@code (real - m) / r}. */
        public Builder normalize(String name, double mean, double range) {
            return add(new Statement.NormalizeDecl(n(name), Statement.NormKind.MEAN_RANGE, mean, range, doc,
                    Span.NONE));
        }

        /** {@code normalize NAME scale s offset o}: the model sees {@code real * s + o}. */
        public Builder scale(String name, double scale, double offset) {
            return add(new Statement.NormalizeDecl(n(name), Statement.NormKind.SCALE_OFFSET, scale, offset, doc,
                    Span.NONE));
        }

        /** An output at the next free index. */
        public Builder output(String name) {
            return output(name, nextOutput);
        }

        /** An output at {@code index}. */
        public Builder output(String name, int index) {
            nextOutput = index + 1;
            return add(new Statement.OutputDecl(n(name), index, doc, Span.NONE));
        }

        /** The decision is the output with the largest score. */
        public Builder decideArgmax() {
            return add(new Statement.DecideDecl(Statement.Direction.ARGMAX, doc, Span.NONE));
        }

        /** The decision is the output with the smallest score. */
        public Builder decideArgmin() {
            return add(new Statement.DecideDecl(Statement.Direction.ARGMIN, doc, Span.NONE));
        }

        /** {@code concept NAME := condition}. */
        public Builder concept(String name, Condition definition) {
            return add(new Statement.ConceptDef(n(name), definition.premise(), doc, Span.NONE));
        }

        /** {@code ignore INPUT}: the model must not depend on this input. */
        public Builder ignore(String input) {
            return add(new Statement.IgnoreStmt(n(input), doc, Span.NONE));
        }

        /** {@code rule NAME: when ... then ...}; enforced (by default with a guard; see {@link #usingRepair()}). */
        public RuleStart rule(String name) {
            return new RuleStart(this, name, false);
        }

        /** {@code property NAME: over ... ensure ...}: verified, never enforced. */
        public RuleStart property(String name) {
            return new RuleStart(this, name, true);
        }

        /** The last rule is enforced with an exact guard ({@code using guard}, the default). */
        public Builder usingGuard() {
            return modifyLastRule(Optional.of(Statement.Strategy.GUARD), null, "usingGuard()");
        }

        /** The last rule is enforced by changing existing weights ({@code using repair}). */
        public Builder usingRepair() {
            return modifyLastRule(Optional.of(Statement.Strategy.REPAIR), null, "usingRepair()");
        }

        /** The last rule must hold with this much room, in output units ({@code margin m}). */
        public Builder margin(double margin) {
            return modifyLastRule(null, margin, "margin(" + margin + ")");
        }

        private Builder modifyLastRule(Optional<Statement.Strategy> strategy, Double margin, String call) {
            if (lastRule < 0 || lastRule != entries.size() - 1) {
                return problem(new Statement.IgnoreStmt(n("_"), "", Span.NONE), call
                        + " must follow the rule it modifies");
            }
            Entry e = entries.get(lastRule);
            Statement.RuleStmt r = (Statement.RuleStmt) e.statement();
            Statement.RuleStmt changed = new Statement.RuleStmt(r.name(), r.when(), r.then(),
                    strategy != null ? strategy : r.strategy(),
                    margin != null ? OptionalDouble.of(margin) : r.margin(), r.doc(), r.span());
            entries.set(lastRule, new Entry(changed, writable.problems(changed)));
            return this;
        }

        private Builder addRule(String name, boolean property, Premise when, Consequent then) {
            if (property) {
                return add(new Statement.PropertyStmt(n(name), when, then, doc, Span.NONE));
            }
            add(new Statement.RuleStmt(n(name), when, then, Optional.empty(), OptionalDouble.empty(), doc,
                    Span.NONE));
            lastRule = entries.size() - 1;
            return this;
        }

        /** The rules, written out as text with their synthetic positions. */
        public Rules build() {
            String file = "<api:" + name + ">";
            StringBuilder text = new StringBuilder("// Rules built in Java (dev.engram.api.Rules \"" + name + "\")\n");
            int line = 2;
            List<Diagnostic> ds = new ArrayList<>();
            Class<?> previous = null;
            for (Entry e : entries) {
                Statement s = e.statement();
                boolean block = s instanceof Statement.RuleStmt || s instanceof Statement.PropertyStmt
                        || s instanceof Statement.ConceptDef || !s.doc().isEmpty();
                if (previous != null && (block || previous != s.getClass())) {
                    text.append('\n');
                    line++;
                }
                previous = block ? Object.class : s.getClass();
                if (e.problems().isEmpty()) {
                    String printed = AstPrinter.statement(s);
                    text.append(printed);
                    line += (int) printed.chars().filter(c -> c == '\n').count();
                    continue;
                }
                String comment = "// not written: " + what(s);
                text.append(comment).append('\n');
                for (String p : e.problems()) {
                    ds.add(Diagnostic.error(DiagnosticCode.E002, Span.of(file, line, 1, line, comment.length() + 1),
                            "cannot write " + what(s) + ": " + p, "fix the call that builds it"));
                }
                line++;
            }
            return new Rules(name, new SourceFile(file, text.toString()), baseDir, ds);
        }

        private static String what(Statement s) {
            String kind = s.getClass().getSimpleName().replace("Stmt", "").replace("Decl", "").replace("Def", "")
                    .toLowerCase(java.util.Locale.ROOT);
            Name name = s instanceof Statement.InputDecl i ? i.name() : s instanceof Statement.OutputDecl o ? o.name()
                    : s instanceof Statement.RuleStmt r ? r.name() : s instanceof Statement.PropertyStmt p ? p.name()
                    : s instanceof Statement.ConceptDef c ? c.name() : s instanceof Statement.NormalizeDecl nd
                    ? nd.target() : s instanceof Statement.IgnoreStmt ig ? ig.input() : null;
            if (name == null || "_".equals(name.text())) {
                return s instanceof Statement.IgnoreStmt ? "a modifier" : kind;
            }
            String t = name.text();
            t = t.length() > 40 ? t.substring(0, 40) + "..." : t;
            return kind + " '" + t.replaceAll("\\p{Cntrl}", "?") + "'";
        }
    }

    /** {@code rule NAME:} (or {@code property NAME:}), waiting for its condition. */
    public static final class RuleStart {
        private final Builder builder;
        private final String name;
        private final boolean property;

        RuleStart(Builder builder, String name, boolean property) {
            this.builder = builder;
            this.name = name;
            this.property = property;
        }

        /** {@code when condition} ({@code over} for a property). */
        public RuleWhen when(Condition condition) {
            return new RuleWhen(builder, name, property, condition.premise());
        }

        /** The same as {@link #when}, in a property's words. */
        public RuleWhen over(Condition condition) {
            return when(condition);
        }
    }

    /** {@code rule NAME: when condition}, waiting for its outcome. */
    public static final class RuleWhen {
        private final Builder builder;
        private final String name;
        private final boolean property;
        private final Premise when;

        RuleWhen(Builder builder, String name, boolean property, Premise when) {
            this.builder = builder;
            this.name = name;
            this.property = property;
            this.when = when;
        }

        /** {@code then outcome}: the rule is complete. */
        public Builder then(Outcome outcome) {
            return builder.addRule(name, property, when, outcome.consequent());
        }

        /** The same as {@link #then}, in a property's words. */
        public Builder ensure(Outcome outcome) {
            return then(outcome);
        }
    }
}
