package dev.engram.model.torch;

import java.util.ArrayList;
import java.util.List;

/**
 * The expressions of TorchScript's printed code that the structure reader evaluates: names, string and number
 * literals, attribute access and calls, e.g. {@code (fc2).forward(torch.relu((fc1).forward(x, )), )}. Anything
 * else (operators, subscripts, keyword arguments, lists) does not parse, so the statement is refused.
 */
sealed interface TorchExpr {

    record Name(String id) implements TorchExpr {
    }

    record Literal(Object value) implements TorchExpr {
    }

    record Attr(TorchExpr target, String name) implements TorchExpr {
    }

    record Call(TorchExpr callee, List<TorchExpr> args) implements TorchExpr {
    }

    /** Thrown for text outside the subset; the caller names the statement. */
    final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unsupported(String message) {
            super(message);
        }
    }

    /** Parses one whole expression. */
    static TorchExpr parse(String text) {
        Parser p = new Parser(text);
        TorchExpr e = p.expr(0);
        p.ws();
        if (p.i != text.length()) {
            throw new Unsupported("'" + text.substring(p.i) + "' is not understood");
        }
        return e;
    }

    /** A recursive-descent parser over the text; nesting is capped. */
    final class Parser {
        private static final int MAX_NESTING = 64;
        private final String s;
        private int i;

        private Parser(String s) {
            this.s = s;
        }

        void ws() {
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
        }

        private boolean eat(char c) {
            ws();
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        TorchExpr expr(int depth) {
            if (depth > MAX_NESTING) {
                throw new Unsupported("expression nested too deeply");
            }
            TorchExpr e = atom(depth);
            while (true) {
                if (eat('.')) {
                    e = new Attr(e, ident());
                } else if (eat('(')) {
                    e = new Call(e, args(depth));
                } else {
                    return e;
                }
            }
        }

        private List<TorchExpr> args(int depth) {
            List<TorchExpr> args = new ArrayList<>();
            while (!eat(')')) {
                args.add(expr(depth + 1));
                if (!eat(',')) {
                    if (!eat(')')) {
                        throw new Unsupported("a call's arguments are not understood");
                    }
                    break;
                }
            }
            return args;
        }

        private TorchExpr atom(int depth) {
            ws();
            if (i >= s.length()) {
                throw new Unsupported("an expression ends early");
            }
            char c = s.charAt(i);
            if (c == '(') {
                i++;
                TorchExpr e = expr(depth + 1);
                if (!eat(')')) {
                    throw new Unsupported("unbalanced parentheses");
                }
                return e;
            }
            if (c == '"') {
                int end = s.indexOf('"', i + 1);
                if (end < 0 || s.substring(i + 1, end).indexOf('\\') >= 0) {
                    throw new Unsupported("a string literal is not understood");
                }
                String v = s.substring(i + 1, end);
                i = end + 1;
                return new Literal(v);
            }
            if (Character.isDigit(c) || c == '-') {
                int st = i++;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                    i++;
                }
                return new Literal(s.substring(st, i));
            }
            String id = ident();
            return switch (id) {
                case "True" -> new Literal(Boolean.TRUE);
                case "False" -> new Literal(Boolean.FALSE);
                case "None" -> new Literal(null);
                default -> new Name(id);
            };
        }

        private String ident() {
            ws();
            int st = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                i++;
            }
            if (st == i || Character.isDigit(s.charAt(st))) {
                throw new Unsupported("'" + s.substring(st) + "' is not understood");
            }
            return s.substring(st, i);
        }
    }
}
