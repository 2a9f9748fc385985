package dev.engram.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A typed table: named columns of equal length, as read by {@link TableReader}. */
public record Table(List<Column> columns) {

    public Table {
        columns = List.copyOf(columns);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        int n = columns.get(0).size();
        List<String> names = new ArrayList<>();
        for (Column c : columns) {
            if (c.size() != n) {
                throw new IllegalArgumentException("column " + c.name() + " has " + c.size() + " rows, expected " + n);
            }
            if (names.contains(c.name())) {
                throw new IllegalArgumentException("column " + c.name() + " appears twice");
            }
            names.add(c.name());
        }
    }

    public int rows() {
        return columns.get(0).size();
    }

    public List<String> names() {
        return columns.stream().map(Column::name).toList();
    }

    /** The column called {@code name}; throws when there is none. */
    public Column column(String name) {
        for (Column c : columns) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no column '" + name + "'; columns: " + String.join(", ", names()));
    }

    /** This table restricted to the given rows, in that order. */
    public Table select(int[] rows) {
        return new Table(columns.stream().map(c -> c.select(rows)).toList());
    }

    /** The rows where {@code name} is present. */
    public Table withoutMissing(String name) {
        Column c = column(name);
        int[] keep = new int[rows()];
        int k = 0;
        for (int r = 0; r < rows(); r++) {
            if (!c.missing(r)) {
                keep[k++] = r;
            }
        }
        return select(java.util.Arrays.copyOf(keep, k));
    }

    /**
     * The categorical column {@code name} with a trailing {@code suffix} removed from every level (levels that
     * become equal are merged). For UCI test files whose labels end with a period ({@code ">50K."}).
     */
    public Table withoutSuffix(String name, String suffix) {
        Column.Categorical c = (Column.Categorical) column(name);
        List<String> levels = new ArrayList<>();
        int[] map = new int[c.levels().size()];
        for (int i = 0; i < map.length; i++) {
            String v = c.levels().get(i);
            String s = v.endsWith(suffix) ? v.substring(0, v.length() - suffix.length()) : v;
            int at = levels.indexOf(s);
            if (at < 0) {
                at = levels.size();
                levels.add(s);
            }
            map[i] = at;
        }
        int[] codes = new int[c.size()];
        for (int r = 0; r < codes.length; r++) {
            codes[r] = c.codes()[r] < 0 ? -1 : map[c.codes()[r]];
        }
        List<Column> cols = new ArrayList<>(columns);
        cols.set(cols.indexOf(c), sortedLevels(new Column.Categorical(name, levels, codes)));
        return new Table(cols);
    }

    /** A categorical column with its levels in sorted order (codes remapped). */
    static Column.Categorical sortedLevels(Column.Categorical c) {
        List<String> sorted = new ArrayList<>(c.levels());
        java.util.Collections.sort(sorted);
        int[] map = new int[c.levels().size()];
        for (int i = 0; i < map.length; i++) {
            map[i] = sorted.indexOf(c.levels().get(i));
        }
        int[] codes = new int[c.size()];
        for (int r = 0; r < codes.length; r++) {
            codes[r] = c.codes()[r] < 0 ? -1 : map[c.codes()[r]];
        }
        return new Column.Categorical(c.name(), sorted, codes);
    }

    /** A seeded random permutation of {@code 0 .. n-1} (Fisher–Yates with {@link Random}). */
    static int[] permutation(int n, long seed) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        Random rnd = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }

    /**
     * A seeded random split: the first table holds {@code round(fraction * rows)} shuffled rows, the second the rest.
     */
    public Table[] split(double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("split fraction must be in (0, 1), got " + fraction);
        }
        int n = rows();
        int[] perm = permutation(n, seed);
        int k = (int) Math.round(fraction * n);
        return new Table[] {select(java.util.Arrays.copyOfRange(perm, 0, k)),
                select(java.util.Arrays.copyOfRange(perm, k, n))};
    }
}
