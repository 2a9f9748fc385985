package dev.engram.data;

import java.util.List;
import java.util.Objects;

/**
 * One typed column of a {@link Table}: numbers (missing as NaN) or categories (codes into a fixed list of
 * levels, missing as -1). Arrays are treated as immutable: never mutate them after construction.
 */
public sealed interface Column permits Column.Numeric, Column.Categorical {

    String name();

    /** Number of rows. */
    int size();

    /** Whether row {@code r} is missing. */
    boolean missing(int r);

    /** This column restricted to the given rows, in that order. */
    Column select(int[] rows);

    /** A numerical column; NaN marks a missing value. */
    record Numeric(String name, double[] values) implements Column {
        public Numeric {
            Objects.requireNonNull(name);
            Objects.requireNonNull(values);
        }

        @Override
        public int size() {
            return values.length;
        }

        @Override
        public boolean missing(int r) {
            return Double.isNaN(values[r]);
        }

        /** This column as categories: one level per distinct value, in numerical order (NaN stays missing). */
        public Categorical asCategorical() {
            java.util.TreeSet<Double> distinct = new java.util.TreeSet<>();
            for (double v : values) {
                if (!Double.isNaN(v)) {
                    distinct.add(v);
                }
            }
            List<Double> sorted = new java.util.ArrayList<>(distinct);
            List<String> levels = sorted.stream().map(Numeric::format).toList();
            int[] codes = new int[values.length];
            for (int r = 0; r < codes.length; r++) {
                codes[r] = Double.isNaN(values[r]) ? -1 : java.util.Collections.binarySearch(sorted, values[r]);
            }
            return new Categorical(name, levels, codes);
        }

        private static String format(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }

        @Override
        public Numeric select(int[] rows) {
            double[] v = new double[rows.length];
            for (int i = 0; i < rows.length; i++) {
                v[i] = values[rows[i]];
            }
            return new Numeric(name, v);
        }
    }

    /**
     * A categorical column: {@code codes[r]} indexes {@code levels}, -1 when missing. The order of {@code levels}
     * is the declared order (ARFF) or the sorted order of the values seen (CSV), never the order of appearance.
     */
    record Categorical(String name, List<String> levels, int[] codes) implements Column {
        public Categorical {
            Objects.requireNonNull(name);
            levels = List.copyOf(levels);
            Objects.requireNonNull(codes);
            for (int c : codes) {
                if (c < -1 || c >= levels.size()) {
                    throw new IllegalArgumentException("column " + name + ": code " + c + " outside its "
                            + levels.size() + " levels");
                }
            }
        }

        @Override
        public int size() {
            return codes.length;
        }

        @Override
        public boolean missing(int r) {
            return codes[r] < 0;
        }

        /** The value of row {@code r}, or null when missing. */
        public String value(int r) {
            return codes[r] < 0 ? null : levels.get(codes[r]);
        }

        @Override
        public Categorical select(int[] rows) {
            int[] c = new int[rows.length];
            for (int i = 0; i < rows.length; i++) {
                c[i] = codes[rows[i]];
            }
            return new Categorical(name, levels, c);
        }
    }
}
