package dev.engram.parse;

import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.source.Span;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;

/**
 * The lexer's tokens, checked as they are read, before any parsing: input whose parse would recurse too deeply
 * (more than {@link RuleParser#MAX_NESTING} open brackets, or more than {@link RuleParser#MAX_DEPTH} nested levels
 * counting brackets and chains of prefix {@code not} and unary minus, which nest like brackets) is refused with
 * {@code E003}, and a statement of more than {@link RuleParser#MAX_STATEMENT_TOKENS} tokens with {@code E024}. The
 * refusal is thrown at the offending token, so a hostile file is never tokenized whole.
 */
final class TokenChecks implements TokenSource {
    private static final byte OTHER = 0;
    private static final byte OPEN = 1;
    private static final byte CLOSE = 2;
    private static final byte NOT = 3;
    private static final byte MINUS = 4;
    private static final byte OPERAND = 5;
    private static final byte STATEMENT = 6;
    /** Token type to its role (by type, so that no token text is materialised). */
    private static final byte[] KIND = kinds();

    /** The check that failed, as a diagnostic at the token. */
    static final class Refused extends RuntimeException {
        private final transient Diagnostic diagnostic;

        Refused(Diagnostic diagnostic) {
            super(diagnostic.message(), null, false, false);
            this.diagnostic = diagnostic;
        }

        Diagnostic diagnostic() {
            return diagnostic;
        }
    }

    private final TokenSource lexer;
    private final String path;
    private final int[] pending = new int[RuleParser.MAX_NESTING + 1]; // prefix operators before each open bracket
    private int depth;
    private int pendingSum;
    private int run;
    private boolean afterOperand;
    private int statementTokens;
    /** The last token was a {@code /} ending at this character index (else -2). */
    private int slashEnd = -2;

    TokenChecks(TokenSource lexer, String path) {
        this.lexer = lexer;
        this.path = path;
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
                case "'model'", "'input'", "'output'", "'normalize'", "'decide'", "'concept'", "'rule'",
                     "'property'", "'ignore'", "'monotone'", "'erase'", "'steer'", "'import'" -> STATEMENT;
                default -> OTHER;
            };
        }
        k[EngramLexer.ID] = OPERAND;
        k[EngramLexer.INT] = OPERAND;
        k[EngramLexer.FLOAT] = OPERAND;
        return k;
    }

    @Override
    public Token nextToken() {
        Token t = lexer.nextToken();
        int type = t.getType();
        unterminatedComment(t);
        if (t.getChannel() == Token.DEFAULT_CHANNEL && type != Token.EOF && type >= 0 && type < KIND.length) {
            check(t, KIND[type]);
        }
        return t;
    }

    /**
     * A {@code /} directly followed by {@code *} can only be a block comment the lexer could not close (a closed one
     * is hidden whole), so it is refused at the {@code /} instead of as the run of tokens its text lexes to.
     */
    private void unterminatedComment(Token t) {
        if (slashEnd >= 0 && t.getStartIndex() == slashEnd + 1 && "*".equals(t.getText())) {
            int col = t.getCharPositionInLine();
            throw new Refused(Diagnostic.error(DiagnosticCode.E001, Span.of(path, t.getLine(), col, t.getLine(),
                    col + 2), "unterminated block comment", "close the comment with */"));
        }
        slashEnd = "/".equals(t.getText()) ? t.getStopIndex() : -2;
    }

    private void check(Token t, byte kind) {
        statementTokens = kind == STATEMENT && depth == 0 ? 1 : statementTokens + 1;
        if (statementTokens > RuleParser.MAX_STATEMENT_TOKENS) {
            throw new Refused(Diagnostic.error(DiagnosticCode.E024, span(t), "a statement longer than "
                    + RuleParser.MAX_STATEMENT_TOKENS + " tokens", "split the rule into several rules, or name parts "
                    + "as concepts"));
        }
        boolean operandEnd = false;
        if (kind == OPEN) {
            if (depth == RuleParser.MAX_NESTING) {
                throw tooDeep(t, "nesting deeper than " + RuleParser.MAX_NESTING + " levels");
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
        if (depth + pendingSum + run > RuleParser.MAX_DEPTH) {
            throw tooDeep(t, "more than " + RuleParser.MAX_DEPTH + " nested levels of brackets, `not` and minus signs");
        }
        afterOperand = operandEnd;
    }

    private Refused tooDeep(Token t, String message) {
        return new Refused(Diagnostic.error(DiagnosticCode.E003, span(t), message,
                "simplify the expression or name parts of it as concepts"));
    }

    private Span span(Token t) {
        int col = t.getCharPositionInLine() + 1;
        int len = Math.max(1, t.getText().length());
        return Span.of(path, t.getLine(), col, t.getLine(), col + len);
    }

    @Override
    public int getLine() {
        return lexer.getLine();
    }

    @Override
    public int getCharPositionInLine() {
        return lexer.getCharPositionInLine();
    }

    @Override
    public CharStream getInputStream() {
        return lexer.getInputStream();
    }

    @Override
    public String getSourceName() {
        return lexer.getSourceName();
    }

    @Override
    public void setTokenFactory(TokenFactory<?> factory) {
        lexer.setTokenFactory(factory);
    }

    @Override
    public TokenFactory<?> getTokenFactory() {
        return lexer.getTokenFactory();
    }
}
