package dev.engram.parse;

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
import dev.engram.source.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.antlr.v4.runtime.BufferedTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Builds the immutable AST from an ANTLR parse tree that has no syntax errors. Reports literal problems
 * (numbers that overflow) as E004 diagnostics. Doc comments are taken from the hidden channel.
 */
final class AstBuilder {
    private final String path;
    private final BufferedTokenStream tokens;
    private final List<Diagnostic> diagnostics = new ArrayList<>();

    AstBuilder(String path, BufferedTokenStream tokens) {
        this.path = path;
        this.tokens = tokens;
    }

    List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    RuleFile build(EngramParser.FileContext ctx) {
        List<Statement> out = new ArrayList<>();
        for (EngramParser.StatementContext s : ctx.statement()) {
            out.add(statement(s));
        }
        List<RuleFile.Comment> comments = new ArrayList<>();
        for (Token t : tokens.getTokens()) {
            if (t.getType() == EngramLexer.LINE_COMMENT || t.getType() == EngramLexer.BLOCK_COMMENT) {
                comments.add(new RuleFile.Comment(t.getText(), span(t)));
            }
        }
        return new RuleFile(out, comments, span(ctx));
    }

    private Span span(ParserRuleContext ctx) {
        Token a = ctx.getStart();
        Token b = ctx.getStop();
        if (b == null || b.getType() == Token.EOF || b.getTokenIndex() < a.getTokenIndex()) {
            b = a;
        }
        return Span.of(path, a.getLine(), a.getCharPositionInLine() + 1, b.getLine(), endColumn(b));
    }

    private Span span(Token t) {
        return Span.of(path, t.getLine(), t.getCharPositionInLine() + 1, t.getLine(), endColumn(t));
    }

    private static int endColumn(Token t) {
        String text = t.getText();
        int len = text == null || t.getType() == Token.EOF ? 0 : text.length();
        return t.getCharPositionInLine() + 1 + len;
    }

    private String doc(ParserRuleContext ctx) {
        List<Token> hidden = tokens.getHiddenTokensToLeft(ctx.getStart().getTokenIndex());
        if (hidden == null || hidden.isEmpty()) {
            return "";
        }
        List<String> lines = new ArrayList<>();
        for (Token t : hidden) {
            String s = t.getText();
            if (t.getType() == EngramLexer.DOC_LINE) {
                lines.add(stripOne(s.substring(3)));
            } else if (t.getType() == EngramLexer.DOC_BLOCK) {
                String body = s.substring(3, s.length() - 2);
                for (String l : body.split("\r?\n", -1)) {
                    String x = l.strip();
                    if (x.startsWith("*")) {
                        x = stripOne(x.substring(1));
                    }
                    lines.add(x);
                }
            }
        }
        while (!lines.isEmpty() && lines.get(0).isBlank()) {
            lines.remove(0);
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        return String.join("\n", lines).stripTrailing();
    }

    private static String stripOne(String s) {
        return (s.startsWith(" ") ? s.substring(1) : s).stripTrailing();
    }

    private Name name(EngramParser.NameContext ctx) {
        return new Name(ctx.getText(), span(ctx));
    }

    private int integer(TerminalNode n) {
        try {
            return Integer.parseInt(n.getText());
        } catch (NumberFormatException e) {
            diagnostics.add(Diagnostic.error(DiagnosticCode.E004, span(n.getSymbol()),
                    "integer " + abbreviate(n.getText()) + " is too large", "indices and layers are below 2147483648"));
            return 0;
        }
    }

    private double number(Token t) {
        double v;
        try {
            v = Double.parseDouble(t.getText());
        } catch (NumberFormatException e) {
            v = Double.POSITIVE_INFINITY;
        }
        if (!Double.isFinite(v)) {
            diagnostics.add(Diagnostic.error(DiagnosticCode.E004, span(t),
                    "number " + abbreviate(t.getText()) + " is out of range", "numbers must fit a 64-bit float (|x| < 1.8e308)"));
            return 0;
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() > 30 ? s.substring(0, 27) + "..." : s;
    }

    private double signed(EngramParser.SignedNumberContext ctx) {
        Token t = ctx.INT() != null ? ctx.INT().getSymbol() : ctx.FLOAT().getSymbol();
        double v = number(t);
        return ctx.getChild(0).getText().equals("-") ? -v : v;
    }

    private static String unquote(String s) {
        String body = s.substring(1, s.length() - 1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                char d = body.charAt(++i);
                b.append(d == 'n' ? '\n' : d == 't' ? '\t' : d);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private Statement statement(EngramParser.StatementContext ctx) {
        String doc = doc(ctx);
        Span sp = span(ctx);
        if (ctx instanceof EngramParser.ModelStmtContext c) {
            return new Statement.ModelDecl(unquote(c.STRING().getText()), doc, sp);
        } else if (ctx instanceof EngramParser.InputStmtContext c) {
            return new Statement.InputDecl(name(c.name()), integer(c.INT()), domain(c.inputDomain()), doc, sp);
        } else if (ctx instanceof EngramParser.OutputStmtContext c) {
            return new Statement.OutputDecl(name(c.name()), integer(c.INT()), doc, sp);
        } else if (ctx instanceof EngramParser.NormalizeStmtContext c) {
            if (c.normSpec() instanceof EngramParser.MeanRangeContext m) {
                return new Statement.NormalizeDecl(name(c.name()), Statement.NormKind.MEAN_RANGE,
                        signed(m.signedNumber(0)), signed(m.signedNumber(1)), doc, sp);
            }
            EngramParser.ScaleOffsetContext so = (EngramParser.ScaleOffsetContext) c.normSpec();
            return new Statement.NormalizeDecl(name(c.name()), Statement.NormKind.SCALE_OFFSET,
                    signed(so.signedNumber(0)), signed(so.signedNumber(1)), doc, sp);
        } else if (ctx instanceof EngramParser.DecideStmtContext c) {
            return new Statement.DecideDecl(c.direction.getText().equals("argmax")
                    ? Statement.Direction.ARGMAX : Statement.Direction.ARGMIN, doc, sp);
        } else if (ctx instanceof EngramParser.ConceptDefStmtContext c) {
            return new Statement.ConceptDef(name(c.name()), premise(c.premise()), doc, sp);
        } else if (ctx instanceof EngramParser.ConceptDataStmtContext c) {
            Optional<String> column = c.STRING().size() > 1 ? Optional.of(unquote(c.STRING(1).getText())) : Optional.empty();
            OptionalInt layer = c.INT() != null ? OptionalInt.of(integer(c.INT())) : OptionalInt.empty();
            return new Statement.ConceptFromData(name(c.name()), unquote(c.STRING(0).getText()), column, layer, doc, sp);
        } else if (ctx instanceof EngramParser.RuleStmtContext c) {
            Optional<Statement.Strategy> strategy = c.strategy == null ? Optional.empty()
                    : Optional.of(c.strategy.getText().equals("guard") ? Statement.Strategy.GUARD : Statement.Strategy.REPAIR);
            OptionalDouble margin = c.signedNumber() == null ? OptionalDouble.empty() : OptionalDouble.of(signed(c.signedNumber()));
            return new Statement.RuleStmt(name(c.name()), premise(c.premise()), consequent(c.consequent()),
                    strategy, margin, doc, sp);
        } else if (ctx instanceof EngramParser.IgnoreStmtContext c) {
            return new Statement.IgnoreStmt(name(c.name()), doc, sp);
        } else if (ctx instanceof EngramParser.EraseStmtContext c) {
            return new Statement.EraseStmt(name(c.name()), integer(c.INT()), doc, sp);
        } else if (ctx instanceof EngramParser.SteerStmtContext c) {
            return new Statement.SteerStmt(name(c.name()), integer(c.INT()), signed(c.signedNumber()), doc, sp);
        } else if (ctx instanceof EngramParser.MonotoneStmtContext c) {
            return new Statement.MonotoneStmt(expr(c.expr()), c.sense.getText().equals("increasing"),
                    name(c.name()), c.premise() == null ? Optional.empty() : Optional.of(premise(c.premise())), doc, sp);
        } else if (ctx instanceof EngramParser.PropertyStmtContext c) {
            return new Statement.PropertyStmt(name(c.name()), premise(c.premise()), consequent(c.consequent()), doc, sp);
        } else if (ctx instanceof EngramParser.ImportStmtContext c) {
            return new Statement.ImportVnnlib(unquote(c.STRING().getText()), c.kind.getText().equals("rule"),
                    c.name() == null ? Optional.empty() : Optional.of(name(c.name())), doc, sp);
        }
        throw new IllegalStateException("unknown statement " + ctx.getClass().getSimpleName());
    }

    private InputDomain domain(EngramParser.InputDomainContext ctx) {
        if (ctx instanceof EngramParser.RealDomainContext r) {
            return new InputDomain.Real(expr(r.expr(0)), expr(r.expr(1)),
                    r.unit() == null ? "" : r.unit().getText(), span(ctx));
        }
        EngramParser.CategoricalDomainContext c = (EngramParser.CategoricalDomainContext) ctx;
        return new InputDomain.Categorical(c.name().stream().map(this::name).toList(), span(ctx));
    }

    private Premise premise(EngramParser.PremiseContext ctx) {
        List<Premise> items = new ArrayList<>();
        for (EngramParser.PremiseAndContext a : ctx.premiseAnd()) {
            items.add(premiseAnd(a));
        }
        return items.size() == 1 ? items.get(0) : new Premise.Or(items, span(ctx));
    }

    private Premise premiseAnd(EngramParser.PremiseAndContext ctx) {
        List<Premise> items = new ArrayList<>();
        for (EngramParser.PremiseNotContext a : ctx.premiseNot()) {
            items.add(premiseNot(a));
        }
        return items.size() == 1 ? items.get(0) : new Premise.And(items, span(ctx));
    }

    private Premise premiseNot(EngramParser.PremiseNotContext ctx) {
        if (ctx instanceof EngramParser.NotPremiseContext n) {
            return new Premise.Not(premiseNot(n.premiseNot()), span(ctx));
        }
        EngramParser.PremiseAtomContext atom = ((EngramParser.AtomPremiseContext) ctx).premiseAtom();
        if (atom instanceof EngramParser.ParenPremiseContext p) {
            return premise(p.premise());
        } else if (atom instanceof EngramParser.IntervalPremiseContext i) {
            return new Premise.InInterval(expr(i.expr(0)), expr(i.expr(1)), expr(i.expr(2)), span(atom));
        } else if (atom instanceof EngramParser.ComparePremiseContext c) {
            return new Premise.Compare(c.expr().stream().map(this::expr).toList(),
                    c.cmp().stream().map(x -> CmpOp.of(x.getText())).toList(), span(atom));
        } else if (atom instanceof EngramParser.IsPremiseContext i) {
            return new Premise.IsValue(name(i.name(0)), i.negated != null, name(i.name(1)), span(atom));
        }
        EngramParser.ConceptRefPremiseContext r = (EngramParser.ConceptRefPremiseContext) atom;
        return new Premise.ConceptRef(name(r.name()), span(atom));
    }

    private Consequent consequent(EngramParser.ConsequentContext ctx) {
        List<Consequent> items = new ArrayList<>();
        for (EngramParser.ConsequentAndContext a : ctx.consequentAnd()) {
            items.add(consequentAnd(a));
        }
        return items.size() == 1 ? items.get(0) : new Consequent.Or(items, span(ctx));
    }

    private Consequent consequentAnd(EngramParser.ConsequentAndContext ctx) {
        List<Consequent> items = new ArrayList<>();
        for (EngramParser.ConsequentAtomContext a : ctx.consequentAtom()) {
            items.add(consequentAtom(a));
        }
        return items.size() == 1 ? items.get(0) : new Consequent.And(items, span(ctx));
    }

    private Consequent consequentAtom(EngramParser.ConsequentAtomContext ctx) {
        if (ctx instanceof EngramParser.ParenConsequentContext p) {
            return consequent(p.consequent());
        } else if (ctx instanceof EngramParser.PredConsequentContext p) {
            String k = p.pred.getText();
            Consequent.PredKind kind = k.equals("decision") ? Consequent.PredKind.DECISION
                    : k.equals("maximal") ? Consequent.PredKind.MAXIMAL : Consequent.PredKind.MINIMAL;
            return new Consequent.Predicate(name(p.name()), p.negated != null, kind, span(ctx));
        }
        EngramParser.CompareConsequentContext c = (EngramParser.CompareConsequentContext) ctx;
        return new Consequent.Compare(c.expr().stream().map(this::expr).toList(),
                c.cmp().stream().map(x -> CmpOp.of(x.getText())).toList(), span(ctx));
    }

    private Expr expr(EngramParser.ExprContext ctx) {
        // fetch the child lists once: ctx.term(i) scans all children, which made long sums quadratic
        List<EngramParser.TermContext> terms = ctx.term();
        List<EngramParser.AddOpContext> ops = ctx.addOp();
        Expr acc = term(terms.get(0));
        for (int i = 1; i < terms.size(); i++) {
            Expr.BinOp op = ops.get(i - 1).getText().equals("+") ? Expr.BinOp.ADD : Expr.BinOp.SUB;
            Expr right = term(terms.get(i));
            acc = new Expr.Binary(acc, op, right, join(acc.span(), right.span()));
        }
        return acc;
    }

    private Expr term(EngramParser.TermContext ctx) {
        List<EngramParser.FactorContext> factors = ctx.factor();
        List<EngramParser.MulOpContext> ops = ctx.mulOp();
        Expr acc = factor(factors.get(0));
        for (int i = 1; i < factors.size(); i++) {
            Expr.BinOp op = ops.get(i - 1).getText().equals("*") ? Expr.BinOp.MUL : Expr.BinOp.DIV;
            Expr right = factor(factors.get(i));
            acc = new Expr.Binary(acc, op, right, join(acc.span(), right.span()));
        }
        return acc;
    }

    private static Span join(Span a, Span b) {
        return new Span(a.file(), a.start(), b.end());
    }

    private Expr factor(EngramParser.FactorContext ctx) {
        if (ctx instanceof EngramParser.NegFactorContext n) {
            return new Expr.Neg(factor(n.factor()), span(ctx));
        } else if (ctx instanceof EngramParser.IntFactorContext i) {
            return new Expr.Num(number(i.INT().getSymbol()), span(ctx));
        } else if (ctx instanceof EngramParser.FloatFactorContext f) {
            return new Expr.Num(number(f.FLOAT().getSymbol()), span(ctx));
        } else if (ctx instanceof EngramParser.PiFactorContext) {
            return new Expr.Pi(span(ctx));
        } else if (ctx instanceof EngramParser.VarFactorContext v) {
            return new Expr.Var(name(v.name()), span(ctx));
        }
        return expr(((EngramParser.ParenFactorContext) ctx).expr());
    }
}
