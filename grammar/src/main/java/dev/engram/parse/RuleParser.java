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
    /**
     * Most tokens one statement may have: a larger statement is refused ({@code E024}) before it is parsed, so that a
     * hostile file cannot make the parser build an enormous tree (no rule people write comes near it).
     */
    public static final int MAX_STATEMENT_TOKENS = 20_000;

    private RuleParser() {
    }

    /** Parses {@code source}; the AST is present only when there were no errors. */
    public static Diagnosed<RuleFile> parse(SourceFile source) {
        String path = source.path();
        CollectingErrorListener listener = new CollectingErrorListener(path);
        try {
            EngramLexer lexer = new EngramLexer(CharStreams.fromString(source.text(), path));
            lexer.removeErrorListeners();
            lexer.addErrorListener(listener);
            TokenChecks checks = new TokenChecks(lexer, path);
            CommonTokenStream tokens = new CommonTokenStream(checks);
            try {
                tokens.fill();
            } catch (TokenChecks.Refused r) {
                // refused while reading: the rest of the file is never turned into tokens
                List<Diagnostic> ds = new ArrayList<>(listener.diagnostics());
                ds.add(r.diagnostic());
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
}
