package dev.engram;

import dev.engram.verify.Verdict;

/**
 * The VNN-COMP result file: the verdict word on the first line ({@code sat}, {@code unsat}, {@code unknown},
 * {@code timeout}), and for {@code sat} the witness as {@code ((X_0 v) ... (Y_0 v))}.
 */
public final class VnncompResult {
    private VnncompResult() {
    }

    /** The result file's text for {@code v}. */
    public static String text(Verdict v) {
        StringBuilder sb = new StringBuilder(v.word()).append('\n');
        if (v instanceof Verdict.Sat s) {
            sb.append('(');
            boolean first = true;
            for (int i = 0; i < s.input().length; i++) {
                sb.append(first ? "(" : " (").append("X_").append(i).append(' ').append(s.input()[i]).append(")\n");
                first = false;
            }
            for (int j = 0; j < s.output().length; j++) {
                sb.append(" (Y_").append(j).append(' ').append(s.output()[j]).append(')');
                sb.append(j == s.output().length - 1 ? ")\n" : "\n");
            }
        }
        return sb.toString();
    }
}
