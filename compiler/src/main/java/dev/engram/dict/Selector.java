package dev.engram.dict;

import dev.engram.data.Encoding;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which rows of a data file are examples of a concept, as written in {@code column "..."}: {@code NAME} (a 0/1 or
 * yes/no column), {@code NAME = VALUE} or {@code NAME in {V1, V2, ...}} (positive when the value is listed, negative
 * otherwise). A missing value makes the row neither. Values are compared as numbers in numerical columns and as text
 * (or as rule-language identifiers) in categorical ones.
 *
 * @param column the column's name
 * @param values the listed values; empty for a bare 0/1 column
 */
public record Selector(String column, List<String> values) {
    private static final Pattern IN = Pattern.compile("\\s*(.+?)\\s+in\\s*\\{(.*)}\\s*");
    private static final Pattern EQ = Pattern.compile("\\s*(.+?)\\s*=\\s*(.+?)\\s*");

    public Selector {
        values = List.copyOf(values);
    }

    /** Parses the column text; an error message instead when it cannot. */
    public static Selector parse(String text) {
        Matcher in = IN.matcher(text);
        if (in.matches()) {
            List<String> vs = new ArrayList<>();
            for (String v : in.group(2).split(",")) {
                String t = unquote(v.strip());
                if (!t.isEmpty()) {
                    vs.add(t);
                }
            }
            if (vs.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' lists no values");
            }
            return new Selector(unquote(in.group(1)), vs);
        }
        Matcher eq = EQ.matcher(text);
        if (eq.matches()) {
            return new Selector(unquote(eq.group(1)), List.of(unquote(eq.group(2))));
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("empty column");
        }
        return new Selector(text.strip(), List.of());
    }

    private static String unquote(String s) {
        return s.length() >= 2 && (s.startsWith("'") && s.endsWith("'") || s.startsWith("\"") && s.endsWith("\""))
                ? s.substring(1, s.length() - 1) : s;
    }

    /** The text this selector is written as. */
    public String text() {
        if (values.isEmpty()) {
            return column;
        }
        return values.size() == 1 ? column + " = " + values.get(0) : column + " in {" + String.join(", ", values)
                + "}";
    }

    /**
     * The test for a column with {@code levels} (categorical, value = level index) or none (numerical); the reason
     * it cannot apply otherwise.
     */
    public Test bind(List<String> levels) {
        if (levels == null) {
            return numeric();
        }
        if (values.isEmpty()) {
            int truth = truthLevel(levels);
            if (truth < -1) {
                throw new IllegalArgumentException("column '" + column + "' holds " + levels.size() + " values ("
                        + String.join(", ", levels.subList(0, Math.min(6, levels.size()))) + (levels.size() > 6
                        ? ", ..." : "") + "), not yes/no: write column \"" + column + " = " + levels.get(0) + "\"");
            }
            return v -> Double.isNaN(v) ? (byte) -1 : (byte) ((int) v == truth ? 1 : 0);
        }
        boolean[] pos = new boolean[levels.size()];
        for (String want : values) {
            boolean found = false;
            for (int k = 0; k < levels.size(); k++) {
                String lv = levels.get(k);
                if (lv.equals(want) || Encoding.identifier(lv).equals(want) || lv.equalsIgnoreCase(want)) {
                    pos[k] = true;
                    found = true;
                }
            }
            if (!found) {
                throw new IllegalArgumentException("column '" + column + "' has no value '" + want + "' (values: "
                        + String.join(", ", levels.subList(0, Math.min(12, levels.size()))) + ")");
            }
        }
        return v -> Double.isNaN(v) ? (byte) -1 : (byte) (pos[(int) v] ? 1 : 0);
    }

    private Test numeric() {
        if (values.isEmpty()) {
            return v -> Double.isNaN(v) ? (byte) -1 : v == 1 ? (byte) 1 : v == 0 ? (byte) 0 : (byte) -2;
        }
        double[] nums = new double[values.size()];
        for (int k = 0; k < nums.length; k++) {
            try {
                nums[k] = Double.parseDouble(values.get(k));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("column '" + column + "' is numerical; '" + values.get(k)
                        + "' is not a number");
            }
        }
        return v -> {
            if (Double.isNaN(v)) {
                return (byte) -1;
            }
            for (double n : nums) {
                if (v == n) {
                    return (byte) 1;
                }
            }
            return (byte) 0;
        };
    }

    /** The level meaning "yes" in a two-level column of yes/no words, -1 for a one-level column, else -2. */
    private static int truthLevel(List<String> levels) {
        List<String> yes = List.of("1", "true", "yes", "y", "t");
        List<String> no = List.of("0", "false", "no", "n", "f");
        int truth = -2;
        for (int k = 0; k < levels.size(); k++) {
            String l = levels.get(k).toLowerCase(Locale.ROOT);
            if (yes.contains(l)) {
                truth = truth == -2 ? k : -3;
            } else if (!no.contains(l)) {
                return -3;
            }
        }
        return truth == -2 ? -1 : truth;
    }

    /** The concept value of one row's column value: 1 positive, 0 negative, -1 unknown, -2 not a 0/1 value. */
    @FunctionalInterface
    public interface Test {
        byte apply(double value);
    }
}
