package dev.engram.api;

import dev.engram.ast.Consequent;
import dev.engram.ast.Expr;
import dev.engram.ast.Name;
import dev.engram.ast.Premise;
import dev.engram.ast.RuleFile;
import dev.engram.ast.Statement;
import dev.engram.diag.Diagnosed;
import dev.engram.parse.RuleParser;
import dev.engram.source.SourceFile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a syntax tree built in Java can be written as rule text that reads back as the same tree: every name is a
 * name of the language (decided by its own parser, so keywords and stray characters are caught), every number is
 * finite and non-negative (a minus sign is a negation node), every {@code and}/{@code or} has operands. Collects what
 * is wrong, in words, instead of writing text that would mean something else.
 */
final class Writable {
    private final Map<String, Boolean> names = new HashMap<>();
    private final List<String> problems = new ArrayList<>();

    /** What is wrong with {@code s} (empty: it can be written). */
    List<String> problems(Statement s) {
        problems.clear();
        if (s instanceof Statement.InputDecl i) {
            name(i.name());
            if (i.domain() instanceof dev.engram.ast.InputDomain.Real r) {
                expr(r.lo());
                expr(r.hi());
                if (!r.unit().isEmpty() && !r.unit().matches("[A-Za-z_][A-Za-z_0-9]*(/[A-Za-z_][A-Za-z_0-9]*)?")) {
                    problems.add("'" + r.unit() + "' is not a unit (a name, or name/name)");
                }
            } else if (i.domain() instanceof dev.engram.ast.InputDomain.Categorical c) {
                c.values().forEach(this::name);
                if (c.values().isEmpty()) {
                    problems.add("a categorical input needs at least one value");
                }
            }
        } else if (s instanceof Statement.OutputDecl o) {
            name(o.name());
        } else if (s instanceof Statement.NormalizeDecl n) {
            name(n.target());
            number(n.first());
            number(n.second());
        } else if (s instanceof Statement.ConceptDef c) {
            name(c.name());
            premise(c.premise());
        } else if (s instanceof Statement.RuleStmt r) {
            name(r.name());
            premise(r.when());
            consequent(r.then());
            r.margin().ifPresent(this::number);
        } else if (s instanceof Statement.PropertyStmt p) {
            name(p.name());
            premise(p.over());
            consequent(p.ensure());
        } else if (s instanceof Statement.IgnoreStmt ig) {
            name(ig.input());
        }
        return List.copyOf(problems);
    }

    private void premise(Premise p) {
        if (p instanceof Premise.Or o) {
            operands(o.items().size(), "or");
            o.items().forEach(this::premise);
        } else if (p instanceof Premise.And a) {
            operands(a.items().size(), "and");
            a.items().forEach(this::premise);
        } else if (p instanceof Premise.Not n) {
            premise(n.operand());
        } else if (p instanceof Premise.Compare c) {
            c.operands().forEach(this::expr);
        } else if (p instanceof Premise.InInterval i) {
            expr(i.expr());
            expr(i.lo());
            expr(i.hi());
        } else if (p instanceof Premise.IsValue v) {
            name(v.feature());
            name(v.value());
        } else if (p instanceof Premise.ConceptRef c) {
            name(c.name());
        }
    }

    private void consequent(Consequent c) {
        if (c instanceof Consequent.Or o) {
            operands(o.items().size(), "any");
            o.items().forEach(this::consequent);
        } else if (c instanceof Consequent.And a) {
            operands(a.items().size(), "all");
            a.items().forEach(this::consequent);
        } else if (c instanceof Consequent.Predicate p) {
            name(p.output());
        } else if (c instanceof Consequent.Compare cmp) {
            cmp.operands().forEach(this::expr);
        }
    }

    private void expr(Expr e) {
        if (e instanceof Expr.Num n) {
            number(n.value());
        } else if (e instanceof Expr.Var v) {
            name(v.name());
        } else if (e instanceof Expr.Neg n) {
            expr(n.operand());
        } else if (e instanceof Expr.Binary b) {
            expr(b.left());
            expr(b.right());
        }
    }

    private void operands(int n, String word) {
        if (n == 0) {
            problems.add("'" + word + "' of nothing");
        }
    }

    private void number(double v) {
        if (!Double.isFinite(v)) {
            problems.add(v + " is not a finite number");
        }
    }

    private void name(Name n) {
        if (!names.computeIfAbsent(n.text(), Writable::isName)) {
            problems.add("'" + printable(n.text()) + "' is not a name in the rule language (letters, digits and _, "
                    + "not starting with a digit, not a keyword)");
        }
    }

    /** True when {@code text} reads back as exactly one name (the language's own parser decides). */
    static boolean isName(String text) {
        if (text.isEmpty() || text.length() > 200 || !text.chars().allMatch(c -> c == '_'
                || c < 128 && Character.isLetterOrDigit(c))) {
            return false;
        }
        Diagnosed<RuleFile> r = RuleParser.parse(new SourceFile("<name>", "ignore " + text + "\n"));
        if (r.hasErrors() || r.value().isEmpty()) {
            return false;
        }
        RuleFile f = r.value().get();
        return f.statements().size() == 1 && f.statements().get(0) instanceof Statement.IgnoreStmt ig
                && ig.input().text().equals(text);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(60).forEach(c -> b.append(c < 0x20 || c == 0x7f ? "?" : Character.toString(c)));
        return s.length() > 60 ? b + "..." : b.toString();
    }
}
