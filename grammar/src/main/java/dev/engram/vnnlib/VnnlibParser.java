package dev.engram.vnnlib;

import dev.engram.diag.Diagnosed;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.parse.VnnlibBaseVisitor;
import dev.engram.parse.VnnlibLexer;
import dev.engram.source.SourceFile;
import dev.engram.source.Span;
import dev.engram.vnnlib.VnnlibSpec.And;
import dev.engram.vnnlib.VnnlibSpec.Comparison;
import dev.engram.vnnlib.VnnlibSpec.Declaration;
import dev.engram.vnnlib.VnnlibSpec.Formula;
import dev.engram.vnnlib.VnnlibSpec.Or;
import dev.engram.vnnlib.VnnlibSpec.Relation;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses VNN-LIB text into a {@link VnnlibSpec}: syntax errors (E090) are all collected with their positions,
 * then constructs outside the supported linear subset (E091) and undeclared or redeclared names (E092) are
 * reported. Never throws for any input.
 */
public final class VnnlibParser {
    /** Deepest formula nesting accepted; deeper input is reported, not recursed into. */
    public static final int MAX_DEPTH = 500;
    /** At most this many syntax errors are reported per file. */
    public static final int MAX_DIAGNOSTICS = 200;

    private VnnlibParser() {
    }

    public static Diagnosed<VnnlibSpec> parse(SourceFile source) {
        List<Diagnostic> diags = new ArrayList<>();
        String depthProblem = nestingProblem(source.text());
        if (depthProblem != null) {
            diags.add(Diagnostic.error(DiagnosticCode.E091, Span.of(source.path(), 1, 1, 1, 1), depthProblem,
                    "VNN-LIB properties are flat conjunctions/disjunctions; flatten the formula"));
            return new Diagnosed<>(Optional.empty(), diags);
        }
        VnnlibLexer lexer = new VnnlibLexer(CharStreams.fromString(source.text(), source.path()));
        dev.engram.parse.VnnlibParser parser = new dev.engram.parse.VnnlibParser(new CommonTokenStream(lexer));
        BaseErrorListener listener = new BaseErrorListener() {
            @Override
            public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col, String msg,
                                    RecognitionException e) {
                if (diags.size() >= MAX_DIAGNOSTICS) {
                    // garbage input: the first errors are what a reader needs; recovering through the rest is slow
                    throw new org.antlr.v4.runtime.misc.ParseCancellationException("too many errors");
                }
                diags.add(Diagnostic.error(DiagnosticCode.E090, Span.of(source.path(), line, col + 1, line, col + 2),
                        msg.replace("'<EOF>'", "end of file").replace("<EOF>", "end of file"), "VNN-LIB is (declare-const X_0 Real) and (assert FORMULA) with <=, >=, and, or"));
                if (recognizer instanceof org.antlr.v4.runtime.Parser) {
                    // the first syntax error is what a reader needs; recovering through the rest of a large file
                    // (a VNN-LIB file may be hundreds of MB, or garbage) costs time and memory for nothing
                    throw new org.antlr.v4.runtime.misc.ParseCancellationException("syntax error");
                }
            }
        };
        lexer.removeErrorListeners();
        parser.removeErrorListeners();
        lexer.addErrorListener(listener);
        dev.engram.parse.VnnlibParser.ScriptContext tree;
        try {
            tree = twoStage(parser, listener);
        } catch (org.antlr.v4.runtime.misc.ParseCancellationException e) {
            return new Diagnosed<>(Optional.empty(), diags);
        } catch (StackOverflowError e) {
            diags.add(Diagnostic.error(DiagnosticCode.E091, Span.of(source.path(), 1, 1, 1, 1),
                    "formula nesting too deep", "flatten the formula"));
            return new Diagnosed<>(Optional.empty(), diags);
        }
        if (!diags.isEmpty()) {
            return new Diagnosed<>(Optional.empty(), diags);
        }
        Builder b = new Builder(source.path(), diags);
        VnnlibSpec spec = b.build(tree);
        boolean errors = diags.stream().anyMatch(Diagnostic::isError);
        return new Diagnosed<>(errors ? Optional.empty() : Optional.of(spec), diags);
    }

    /**
     * Stage 1: fast SLL prediction, bailing out at the first problem (long flat sums are linear this way). Stage 2,
     * only then: full LL, which reports the first syntax error with the standard recovery's message.
     */
    private static dev.engram.parse.VnnlibParser.ScriptContext twoStage(dev.engram.parse.VnnlibParser parser,
                                                                       BaseErrorListener listener) {
        parser.getInterpreter().setPredictionMode(org.antlr.v4.runtime.atn.PredictionMode.SLL);
        parser.setErrorHandler(new org.antlr.v4.runtime.BailErrorStrategy());
        try {
            return parser.script();
        } catch (org.antlr.v4.runtime.misc.ParseCancellationException e) {
            ((CommonTokenStream) parser.getTokenStream()).seek(0);
            parser.reset();
            parser.addErrorListener(listener);
            parser.setErrorHandler(new org.antlr.v4.runtime.DefaultErrorStrategy());
            parser.getInterpreter().setPredictionMode(org.antlr.v4.runtime.atn.PredictionMode.LL);
            return parser.script();
        }
    }

    private static String nestingProblem(String text) {
        int depth = 0;
        boolean comment = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (comment) {
                comment = c != '\n' && c != '\r';
                continue;
            }
            if (c == ';') {
                comment = true;
            } else if (c == '(') {
                if (++depth > MAX_DEPTH) {
                    return "formula nesting deeper than " + MAX_DEPTH + " levels";
                }
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            }
        }
        return null;
    }

    /** Turns the parse tree into values, checking names and linearity. */
    private static final class Builder {
        private final String path;
        private final List<Diagnostic> diags;
        private final Map<String, Declaration> declared = new LinkedHashMap<>();

        Builder(String path, List<Diagnostic> diags) {
            this.path = path;
            this.diags = diags;
        }

        Span span(ParserRuleContext ctx) {
            Token s = ctx.getStart();
            Token e = ctx.getStop() == null ? s : ctx.getStop();
            return Span.of(path, s.getLine(), s.getCharPositionInLine() + 1, e.getLine(),
                    e.getCharPositionInLine() + 1 + Math.max(1, e.getText().length()));
        }

        VnnlibSpec build(dev.engram.parse.VnnlibParser.ScriptContext tree) {
            List<Formula> asserts = new ArrayList<>();
            for (var cmd : tree.command()) {
                if (cmd instanceof dev.engram.parse.VnnlibParser.DeclareConstContext d) {
                    String name = d.SYMBOL(0).getText();
                    String sort = d.SYMBOL(1).getText();
                    if (!sort.equals("Real")) {
                        diags.add(Diagnostic.error(DiagnosticCode.E091, span(d), "sort '" + sort
                                + "' is not supported", "declare inputs and outputs as Real"));
                    }
                    if (declared.containsKey(name)) {
                        diags.add(Diagnostic.error(DiagnosticCode.E092, span(d), "'" + name
                                + "' is declared twice", "remove the second declaration"));
                    }
                    declared.put(name, new Declaration(name, sort, span(d)));
                } else if (cmd instanceof dev.engram.parse.VnnlibParser.AssertionContext a) {
                    Formula f = formula(a.formula());
                    if (f != null) {
                        asserts.add(f);
                    }
                } else if (cmd instanceof dev.engram.parse.VnnlibParser.DirectiveContext d) {
                    String name = d.SYMBOL().getText();
                    if (!name.equals("check-sat") && !name.equals("exit") && !name.equals("get-model")) {
                        diags.add(Diagnostic.error(DiagnosticCode.E091, span(d), "command '" + name
                                + "' is not supported", "use declare-const and assert"));
                    }
                }
            }
            return new VnnlibSpec(path, new ArrayList<>(declared.values()), asserts);
        }

        Formula formula(dev.engram.parse.VnnlibParser.FormulaContext ctx) {
            if (ctx instanceof dev.engram.parse.VnnlibParser.JunctionContext j) {
                List<Formula> ops = new ArrayList<>();
                for (var f : j.formula()) {
                    Formula x = formula(f);
                    if (x != null) {
                        ops.add(x);
                    }
                }
                return j.op.getType() == VnnlibLexer.AND ? new And(ops, span(j)) : new Or(ops, span(j));
            }
            if (ctx instanceof dev.engram.parse.VnnlibParser.NegationContext n) {
                diags.add(Diagnostic.error(DiagnosticCode.E091, span(n), "'not' is not supported",
                        "state the unsafe set directly with <=, >=, and, or"));
                return null;
            }
            var c = (dev.engram.parse.VnnlibParser.ComparisonContext) ctx;
            Linear l = term(c.term(0));
            Linear r = term(c.term(1));
            if (l == null || r == null) {
                return null;
            }
            Linear d = l.plus(r.scale(-1));
            Relation rel = switch (c.cmp.getType()) {
                case VnnlibLexer.LE -> Relation.LE;
                case VnnlibLexer.GE -> Relation.GE;
                case VnnlibLexer.LT -> Relation.LT;
                case VnnlibLexer.GT -> Relation.GT;
                default -> Relation.EQ;
            };
            return new Comparison(d.coeffs, d.constant, rel, span(c));
        }

        Linear term(dev.engram.parse.VnnlibParser.TermContext ctx) {
            if (ctx instanceof dev.engram.parse.VnnlibParser.NumberContext n) {
                double v;
                try {
                    v = Double.parseDouble(n.NUMBER().getText());
                } catch (NumberFormatException e) {
                    v = Double.NaN;
                }
                if (!Double.isFinite(v)) {
                    diags.add(Diagnostic.error(DiagnosticCode.E091, span(n), "number '" + n.getText()
                            + "' is not a finite double", "use a number within +-1.8e308"));
                    return null;
                }
                return Linear.constant(v);
            }
            if (ctx instanceof dev.engram.parse.VnnlibParser.VariableContext v) {
                String name = v.SYMBOL().getText();
                if (!declared.containsKey(name)) {
                    diags.add(Diagnostic.error(DiagnosticCode.E092, span(v), "'" + name + "' is not declared",
                            "add (declare-const " + name + " Real) before its first use"));
                    return null;
                }
                return Linear.variable(name);
            }
            var a = (dev.engram.parse.VnnlibParser.ArithmeticContext) ctx;
            List<Linear> ops = new ArrayList<>();
            for (var t : a.term()) {
                Linear x = term(t);
                if (x == null) {
                    return null;
                }
                ops.add(x);
            }
            int op = a.op.getType();
            if (op == VnnlibLexer.PLUS || op == VnnlibLexer.MINUS && ops.size() > 1) {
                return Linear.sum(ops, op == VnnlibLexer.MINUS);
            }
            if (op == VnnlibLexer.MINUS) {
                return ops.get(0).scale(-1);
            }
            Linear p = ops.get(0);
            for (int i = 1; i < ops.size(); i++) {
                Linear q = ops.get(i);
                if (p.coeffs.isEmpty()) {
                    p = q.scale(p.constant);
                } else if (q.coeffs.isEmpty()) {
                    p = p.scale(q.constant);
                } else {
                    diags.add(Diagnostic.error(DiagnosticCode.E091, span(a), "product of two variables is not linear",
                            "VNN-LIB properties must be linear in X and Y"));
                    return null;
                }
            }
            return p;
        }
    }

    /** A linear expression under construction. */
    private record Linear(Map<String, Double> coeffs, double constant) {
        static Linear constant(double v) {
            return new Linear(Map.of(), v);
        }

        static Linear variable(String name) {
            return new Linear(Map.of(name, 1.0), 0);
        }

        /** {@code ops[0] + ops[1] + ...}, or {@code ops[0] - ops[1] - ...}: one map, linear in the terms. */
        static Linear sum(List<Linear> ops, boolean minus) {
            Map<String, Double> m = new LinkedHashMap<>(ops.get(0).coeffs);
            double c = ops.get(0).constant;
            for (int i = 1; i < ops.size(); i++) {
                double sign = minus ? -1 : 1;
                ops.get(i).coeffs.forEach((k, v) -> m.merge(k, sign * v, Double::sum));
                c += sign * ops.get(i).constant;
            }
            return new Linear(m, c);
        }

        Linear plus(Linear o) {
            Map<String, Double> m = new LinkedHashMap<>(coeffs);
            o.coeffs.forEach((k, v) -> m.merge(k, v, Double::sum));
            return new Linear(m, constant + o.constant);
        }

        Linear scale(double s) {
            Map<String, Double> m = new LinkedHashMap<>();
            coeffs.forEach((k, v) -> m.put(k, v * s));
            return new Linear(m, constant * s);
        }
    }
}
