package dev.engram.parse;

import dev.engram.diag.Diagnosed;
import dev.engram.ast.RuleFile;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.source.SourceFile;
import dev.engram.source.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.misc.ParseCancellationException;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;

/**
 * The front door of the rule-language front end: text in, AST and diagnostics out, never an exception.
 * (The ANTLR-generated class generated from {@code Engram.g4} is {@link EngramParser}; this is the facade.)
 */
public final class RuleParser {
    /** Deepest parenthesis nesting accepted; deeper input is reported as E003 instead of risking the stack. */
    public static final int MAX_NESTING = 64;
    /** Deepest nesting of brackets, {@code not} and unary minus together. */
    public static final int MAX_DEPTH = 256;

    private static final byte OTHER = 0;
    private static final byte OPEN = 1;
    private static final byte CLOSE = 2;
    private static final byte NOT = 3;
    private static final byte MINUS = 4;
    private static final byte OPERAND = 5;
    /** Token type to its role in {@link #nestingCheck} (by type, so that no token text is materialised). */
    private static final byte[] KIND = kinds();

    private RuleParser() {
    }

    private static byte[] kinds() {
        byte[] k = new byte[EngramLexer.VOCABULARY.getMaxTokenType() + 1];
        for (int type = 0; type < k.length; type++) {
            String lit = EngramLexer.VOCABULARY.getLiteralName(type);
            k[type] = lit == null ? OTHER : switch (lit) {
                case "'('", "'['", "'{'" -> OPEN;
                case "')'", "']'", "'}'" -> CLOSE;
                case "'not'" -> NOT;
                case "'-'" -> MINUS;
                case "'pi'" -> OPERAND;
                default -> OTHER;
            };
        }
        k[EngramLexer.ID] = OPERAND;
        k[EngramLexer.INT] = OPERAND;
        k[EngramLexer.FLOAT] = OPERAND;
        return k;
    }

    /** Parses {@code source}; the AST is present only when there were no errors. */
    public static Diagnosed<RuleFile> parse(SourceFile source) {
        String path = source.path();
        CollectingErrorListener listener = new CollectingErrorListener(path);
        try {
            EngramLexer lexer = new EngramLexer(CharStreams.fromString(source.text(), path));
            lexer.removeErrorListeners();
            lexer.addErrorListener(listener);
            CommonTokenStream tokens = new CommonTokenStream(lexer);
            tokens.fill();
            Diagnostic deep = nestingCheck(tokens.getTokens(), path);
            if (deep != null) {
                List<Diagnostic> ds = new ArrayList<>(listener.diagnostics());
                ds.add(deep);
                return new Diagnosed<>(Optional.empty(), ds);
            }
            EngramParser parser = new EngramParser(tokens);
            parser.removeErrorListeners();
            EngramParser.FileContext tree;
            // Stage 1: fast SLL prediction, bail out at the first problem. Stage 2 (only then): full LL with
            // error recovery, which reports every syntax error.
            parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
            parser.setErrorHandler(new BailErrorStrategy());
            try {
                tree = parser.file();
            } catch (ParseCancellationException e) {
                tokens.seek(0);
                parser.reset();
                parser.addErrorListener(listener);
                parser.setErrorHandler(new DefaultErrorStrategy());
                parser.getInterpreter().setPredictionMode(PredictionMode.LL);
                tree = parser.file();
            }
            List<Diagnostic> ds = new ArrayList<>(listener.diagnostics());
            if (!ds.isEmpty()) {
                return new Diagnosed<>(Optional.empty(), ds);
            }
            AstBuilder builder = new AstBuilder(path, tokens);
            RuleFile file = builder.build(tree);
            ds.addAll(builder.diagnostics());
            boolean errors = ds.stream().anyMatch(Diagnostic::isError);
            return new Diagnosed<>(errors ? Optional.empty() : Optional.of(file), ds);
        } catch (CollectingErrorListener.TooManyErrors e) {
            return new Diagnosed<>(Optional.empty(), listener.diagnostics());
        } catch (StackOverflowError | RuntimeException e) {
            List<Diagnostic> ds = new ArrayList<>(listener.diagnostics());
            ds.add(Diagnostic.error(DiagnosticCode.E003, Span.of(path, 1, 1, 1, 2),
                    "input too complex to parse (" + e.getClass().getSimpleName() + ")",
                    "split long or deeply nested expressions"));
            return new Diagnosed<>(Optional.empty(), ds);
        }
    }

    /**
     * Rejects input whose parse would recurse too deeply: more than {@link #MAX_NESTING} open brackets, or more
     * than {@link #MAX_DEPTH} nested levels counting brackets and chains of prefix {@code not} and unary minus
     * (each applies to everything up to the end of its operand, so they nest like brackets).
     */
    private static Diagnostic nestingCheck(List<Token> tokens, String path) {
        int[] pending = new int[MAX_NESTING + 1]; // prefix operators written just before each open bracket
        int depth = 0;
        int pendingSum = 0;
        int run = 0;
        boolean afterOperand = false;
        for (Token t : tokens) {
            int type = t.getType();
            if (t.getChannel() != Token.DEFAULT_CHANNEL || type == Token.EOF || type < 0 || type >= KIND.length) {
                continue;
            }
            byte kind = KIND[type];
            boolean operandEnd = false;
            if (kind == OPEN) {
                if (depth == MAX_NESTING) {
                    return tooDeep(t, path, "nesting deeper than " + MAX_NESTING + " levels");
                }
                pending[depth++] = run;
                pendingSum += run;
                run = 0;
            } else if (kind == CLOSE) {
                if (depth > 0) {
                    pendingSum -= pending[--depth];
                }
                run = 0;
                operandEnd = true;
            } else if (kind == NOT || kind == MINUS && !afterOperand) {
                run++;
            } else {
                run = 0;
                operandEnd = kind == OPERAND;
            }
            if (depth + pendingSum + run > MAX_DEPTH) {
                return tooDeep(t, path, "more than " + MAX_DEPTH + " nested levels of brackets, `not` and minus signs");
            }
            afterOperand = operandEnd;
        }
        return null;
    }

    private static Diagnostic tooDeep(Token t, String path, String message) {
        int col = t.getCharPositionInLine() + 1;
        int len = Math.max(1, t.getText().length());
        return Diagnostic.error(DiagnosticCode.E003, Span.of(path, t.getLine(), col, t.getLine(), col + len), message,
                "simplify the expression or name parts of it as concepts");
    }
}
