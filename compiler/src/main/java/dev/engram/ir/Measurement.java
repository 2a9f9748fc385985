package dev.engram.ir;

import dev.engram.verify.Verdict;

import java.util.List;

/**
 * How a statement over a learned concept was judged: figures measured on examples (never a proof: a concept defined
 * by examples has no region to prove anything on), and — for a rule whose premise also has input conditions — the
 * verifier's verdict on that formal region. {@link #NONE} for statements that are proved.
 *
 * @param figures what was measured, in the order a report shows them
 * @param region  the formal part's verdict, null when the premise has no input conditions
 */
public record Measurement(List<Figure> figures, RegionCheck region) {
    public static final Measurement NONE = new Measurement(List.of(), null);

    public Measurement {
        figures = List.copyOf(figures);
    }

    /** True when something was measured. */
    public boolean measured() {
        return !figures.isEmpty();
    }

    /** Whether a figure is held to a limit from below, from above, or only reported. */
    public enum Limit {
        AT_LEAST, AT_MOST, NONE
    }

    /**
     * One measured figure: a share (0..1; for {@code POINTS} figures a difference of shares) after the change and
     * before it (NaN when there is no "before"), the limit it is held to, and on how many examples of which kind.
     *
     * @param name     what it is ("efficacy", "locality", "fresh linear probe", ...)
     * @param option   the command-line option that sets the limit ("" when there is none)
     * @param points   true for a difference of shares (drawdown), shown in percentage points
     * @param examples how many examples it was measured on (0: none, the value is NaN)
     * @param on       which examples ("held-out concept-positive inputs", "test data", ...)
     */
    public record Figure(String name, double value, double before, Limit limit, double bound, String option,
                         boolean points, int examples, String on) {
        /** A share held to no limit. */
        public static Figure reported(String name, double value, double before, int examples, String on) {
            return new Figure(name, value, before, Limit.NONE, Double.NaN, "", false, examples, on);
        }

        /** A share held to at least {@code bound}; a figure with nothing to measure is only reported. */
        public static Figure atLeast(String name, double value, double before, double bound, String option,
                                     int examples, String on, boolean required) {
            return new Figure(name, value, before, examples == 0 && !required ? Limit.NONE : Limit.AT_LEAST, bound,
                    option, false, examples, on);
        }

        /** A change of shares (in points) held to at most {@code bound}. */
        public static Figure pointsAtMost(String name, double value, double bound, String option, int examples,
                                          String on) {
            return new Figure(name, value, Double.NaN, examples == 0 ? Limit.NONE : Limit.AT_MOST, bound, option,
                    true, examples, on);
        }

        /** False when the figure misses its limit (a missing value misses it). */
        public boolean meets() {
            return switch (limit) {
                case NONE -> true;
                case AT_LEAST -> value >= bound;
                case AT_MOST -> value <= bound;
            };
        }

        /** Why the figure misses its limit, in words ("efficacy 98.70% below --min-efficacy 99.00%"). */
        public String shortfall() {
            if (Double.isNaN(value)) {
                return "no example to measure " + name + " on";
            }
            return name + " " + show(value) + (limit == Limit.AT_LEAST ? " below " : " above ")
                    + (option.isEmpty() ? "the limit " : option + " ") + show(bound);
        }

        /** A value of this figure as people read it: {@code 99.73%}, or {@code +0.02 pt} for points. */
        public String show(double v) {
            return Double.isNaN(v) ? "n/a" : String.format(java.util.Locale.ROOT, points ? "%+.2f pt" : "%.2f%%",
                    100 * v);
        }
    }

    /**
     * The formal part of a concept rule ({@code when C and INPUT CONDITIONS then ...}): the consequent proved (or not)
     * by the verifier on the region the input conditions define, which contains every input the rule speaks of.
     *
     * @param verdict unsat: proved on the whole region; sat: a counterexample in the region (with its input)
     * @param method  how (branch and bound on the written model, per box of the region)
     * @param meaning what the verdict means for the rule, in words (for a counterexample: whether the concept's
     *                probe marks it as the concept)
     * @param marked  true when the counterexample is one the concept's probe marks as the concept: inside the
     *                rule's premise as the model's code reads it (often an input unlike any example, which the
     *                measurement cannot see), so the rule does not hold there; false otherwise
     */
    public record RegionCheck(Verdict verdict, String method, String meaning, boolean marked) {
        public boolean proved() {
            return verdict instanceof Verdict.Unsat;
        }
    }
}
