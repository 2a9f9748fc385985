package dev.engram.parse;

import dev.engram.ast.CmpOp;
import dev.engram.ast.Consequent;
import dev.engram.ast.Expr;
import dev.engram.ast.InputDomain;
import dev.engram.ast.Name;
import dev.engram.ast.Premise;
import dev.engram.ast.RuleFile;
import dev.engram.ast.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The canonical pretty-printer behind {@code engram fmt}: one statement per line (rules wrap before
 * {@code then}), doc comments as {@code ///}, minimal parentheses, numbers in their shortest exact form.
 * {@code RuleParser.parse(print(ast))} gives back {@code ast} (spans aside).
 */
public final class AstPrinter {
    private AstPrinter() {
    }

    /** The canonical text of a whole file, ending with a newline. */
    public static String print(RuleFile file) {
        StringBuilder b = new StringBuilder();
        Class<?> previous = null;
        int nextComment = 0;
        List<RuleFile.Comment> comments = file.comments();
        for (Statement s : file.statements()) {
            boolean wroteComment = false;
            while (nextComment < comments.size() && comments.get(nextComment).span().start().line() <= s.span().end().line()) {
                if (!wroteComment && previous != null) {
                    b.append('\n');
                }
                b.append(comments.get(nextComment++).text().strip()).append('\n');
                wroteComment = true;
                previous = null;
            }
            boolean block = s instanceof Statement.RuleStmt || s instanceof Statement.PropertyStmt
                    || s instanceof Statement.MonotoneStmt m && m.over().isPresent()
                    || s instanceof Statement.ConceptDef || !s.doc().isEmpty();
            if (previous != null && (block || previous != s.getClass())) {
                b.append('\n');
            }
            b.append(statement(s));
            previous = block ? Object.class : s.getClass();
        }
        if (nextComment < comments.size()) {
            b.append('\n');
        }
        while (nextComment < comments.size()) {
            b.append(comments.get(nextComment++).text().strip()).append('\n');
        }
        return b.toString();
    }

    /** One statement with its doc comment, ending with a newline. */
    public static String statement(Statement s) {
        StringBuilder b = new StringBuilder();
        if (!s.doc().isEmpty()) {
            for (String line : s.doc().split("\n", -1)) {
                b.append(line.isEmpty() ? "///" : "/// " + line).append('\n');
            }
        }
        b.append(body(s)).append('\n');
        return b.toString();
    }

    private static String body(Statement s) {
        if (s instanceof Statement.ModelDecl m) {
            return "model " + quote(m.path());
        } else if (s instanceof Statement.InputDecl i) {
            return "input " + i.name().text() + " at " + i.index() + " " + domain(i.domain());
        } else if (s instanceof Statement.OutputDecl o) {
            return "output " + o.name().text() + " at " + o.index();
        } else if (s instanceof Statement.NormalizeDecl n) {
            return n.kind() == Statement.NormKind.MEAN_RANGE
                    ? "normalize " + n.target().text() + " mean " + number(n.first()) + " range " + number(n.second())
                    : "normalize " + n.target().text() + " scale " + number(n.first()) + " offset " + number(n.second());
        } else if (s instanceof Statement.DecideDecl d) {
            return "decide " + (d.direction() == Statement.Direction.ARGMAX ? "argmax" : "argmin");
        } else if (s instanceof Statement.ConceptDef c) {
            return "concept " + c.name().text() + " := " + premise(c.premise(), 0);
        } else if (s instanceof Statement.ConceptFromData c) {
            return "concept " + c.name().text() + " from " + quote(c.file())
                    + c.column().map(x -> " column " + quote(x)).orElse("")
                    + (c.layer().isPresent() ? " at layer " + c.layer().getAsInt() : "");
        } else if (s instanceof Statement.RuleStmt r) {
            return "rule " + r.name().text() + ":\n    when " + premise(r.when(), 0)
                    + "\n    then " + consequent(r.then(), 0)
                    + r.strategy().map(x -> "\n    using " + (x == Statement.Strategy.GUARD ? "guard" : "repair")).orElse("")
                    + (r.margin().isPresent() ? "\n    margin " + number(r.margin().getAsDouble()) : "");
        } else if (s instanceof Statement.IgnoreStmt i) {
            return "ignore " + i.input().text();
        } else if (s instanceof Statement.EraseStmt e) {
            return "erase " + e.concept().text() + " at layer " + e.layer();
        } else if (s instanceof Statement.SteerStmt st) {
            return "steer toward " + st.concept().text() + " at layer " + st.layer() + " strength " + number(st.strength());
        } else if (s instanceof Statement.MonotoneStmt m) {
            return "monotone " + expr(m.output()) + (m.increasing() ? " increasing" : " decreasing") + " in "
                    + m.input().text() + m.over().map(o -> "\n    over " + premise(o, 0)).orElse("");
        } else if (s instanceof Statement.PropertyStmt p) {
            return "property " + p.name().text() + ":\n    over " + premise(p.over(), 0)
                    + "\n    ensure " + consequent(p.ensure(), 0);
        } else if (s instanceof Statement.ImportVnnlib i) {
            return "import vnnlib " + quote(i.file()) + " as " + (i.asRule() ? "rule" : "property")
                    + i.name().map(n -> " " + n.text()).orElse("");
        }
        throw new IllegalArgumentException("unknown statement " + s);
    }

    private static String domain(InputDomain d) {
        if (d instanceof InputDomain.Real r) {
            return "in [" + expr(r.lo()) + ", " + expr(r.hi()) + "]" + (r.unit().isEmpty() ? "" : " " + r.unit());
        }
        InputDomain.Categorical c = (InputDomain.Categorical) d;
        return "one of {" + c.values().stream().map(Name::text).collect(Collectors.joining(", ")) + "}";
    }

    /** A string literal with escapes. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** Shortest text that parses back to exactly {@code v}; negative values get a leading minus. */
    public static String number(double v) {
        if (v == 0 && 1 / v < 0) {
            return "-0";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = Double.toString(v);
        if (s.contains("E")) {
            String mant = s.substring(0, s.indexOf('E'));
            String exp = s.substring(s.indexOf('E') + 1);
            if (mant.endsWith(".0")) {
                mant = mant.substring(0, mant.length() - 2);
            }
            return mant + "e" + exp;
        }
        return s;
    }

    // Precedence: 0 = or, 1 = and, 2 = not/atom.
    /** Premise text; {@code context} is the binding strength of the surrounding operator. */
    public static String premise(Premise p, int context) {
        if (p instanceof Premise.Or o) {
            String s = o.items().stream().map(x -> premise(x, 1)).collect(Collectors.joining(" or "));
            return context > 0 ? "(" + s + ")" : s;
        } else if (p instanceof Premise.And a) {
            String s = a.items().stream().map(x -> premise(x, 2)).collect(Collectors.joining(" and "));
            return context > 1 ? "(" + s + ")" : s;
        } else if (p instanceof Premise.Not n) {
            String inner = n.operand() instanceof Premise.Not ? premise(n.operand(), 2) : premise(n.operand(), 2);
            return "not " + inner;
        } else if (p instanceof Premise.Compare c) {
            return compare(c.operands(), c.ops());
        } else if (p instanceof Premise.InInterval i) {
            return expr(i.expr()) + " in [" + expr(i.lo()) + ", " + expr(i.hi()) + "]";
        } else if (p instanceof Premise.IsValue v) {
            return v.feature().text() + (v.negated() ? " is not " : " is ") + v.value().text();
        }
        return ((Premise.ConceptRef) p).name().text();
    }

    /** Consequent text; {@code context} as for premises. */
    public static String consequent(Consequent c, int context) {
        if (c instanceof Consequent.Or o) {
            String s = o.items().stream().map(x -> consequent(x, 1)).collect(Collectors.joining(" or "));
            return context > 0 ? "(" + s + ")" : s;
        } else if (c instanceof Consequent.And a) {
            String s = a.items().stream().map(x -> consequent(x, 2)).collect(Collectors.joining(" and "));
            return context > 1 ? "(" + s + ")" : s;
        } else if (c instanceof Consequent.Predicate p) {
            String kind = p.kind() == Consequent.PredKind.DECISION ? "the decision"
                    : p.kind() == Consequent.PredKind.MAXIMAL ? "maximal" : "minimal";
            return p.output().text() + (p.negated() ? " is not " : " is ") + kind;
        }
        Consequent.Compare cmp = (Consequent.Compare) c;
        return compare(cmp.operands(), cmp.ops());
    }

    private static String compare(List<Expr> operands, List<CmpOp> ops) {
        StringBuilder b = new StringBuilder(expr(operands.get(0)));
        for (int i = 0; i < ops.size(); i++) {
            b.append(' ').append(ops.get(i).symbol()).append(' ').append(expr(operands.get(i + 1)));
        }
        return b.toString();
    }

    /** Expression text with the fewest parentheses that keep its tree. */
    public static String expr(Expr e) {
        if (e instanceof Expr.Num n) {
            return number(n.value());
        } else if (e instanceof Expr.Pi) {
            return "pi";
        } else if (e instanceof Expr.Var v) {
            return v.name().text();
        } else if (e instanceof Expr.Neg n) {
            return "-" + (n.operand() instanceof Expr.Binary ? "(" + expr(n.operand()) + ")" : expr(n.operand()));
        }
        // Left-associative chains (a + b + c + ...) are left-deep trees as long as the source line: walk the left
        // spine iteratively, so that long sums neither exhaust the stack nor copy strings quadratically.
        List<Expr.Binary> spine = new ArrayList<>();
        Expr x = e;
        while (x instanceof Expr.Binary bx) {
            spine.add(bx);
            x = bx.left();
        }
        StringBuilder acc = new StringBuilder(expr(x));
        for (int k = spine.size() - 1; k >= 0; k--) {
            Expr.Binary b = spine.get(k);
            boolean additive = b.op() == Expr.BinOp.ADD || b.op() == Expr.BinOp.SUB;
            if (!additive && isAdditive(b.left())) {
                acc.insert(0, '(').append(')');
            }
            String right = expr(b.right());
            boolean wrapRight = additive ? isAdditive(b.right()) : b.right() instanceof Expr.Binary;
            acc.append(' ').append(b.op().symbol()).append(' ');
            if (wrapRight) {
                acc.append('(').append(right).append(')');
            } else {
                acc.append(right);
            }
        }
        return acc.toString();
    }

    private static boolean isAdditive(Expr e) {
        return e instanceof Expr.Binary b && (b.op() == Expr.BinOp.ADD || b.op() == Expr.BinOp.SUB);
    }
}
