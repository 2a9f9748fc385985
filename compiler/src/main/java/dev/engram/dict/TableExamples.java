package dev.engram.dict;

import dev.engram.data.Column;
import dev.engram.data.Encoding;
import dev.engram.data.Table;
import dev.engram.data.TableReader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Examples from a CSV or ARFF table, encoded through the rule file's declarations: each declared input is the column
 * whose name has its identifier ({@code education-num} for {@code education_num}); real values become
 * {@code real × scale + offset}, categorical values one-hot slots (a level whose identifier is a declared value); a
 * missing value is model value 0 (the training mean for inputs {@code engram train} normalised), an unknown level
 * the all-zero block. The task label is the column whose levels name the declared outputs the way {@code engram
 * train} names them ({@code Y_gt_50K} for level {@code >50K} of column {@code Y}).
 */
final class TableExamples implements ExampleStream {
    private final Table table;
    private final String description;
    private final float[][] x;
    private final int taskColumn;
    private final int[] taskLabels;
    private int at;

    private TableExamples(Table table, String description, float[][] x, int taskColumn, int[] taskLabels) {
        this.table = table;
        this.description = description;
        this.x = x;
        this.taskColumn = taskColumn;
        this.taskLabels = taskLabels;
    }

    static TableExamples open(Path file, DataLayout layout) {
        Table t = TableReader.read(file);
        if (layout.fields().isEmpty()) {
            throw new IllegalArgumentException(file + ": a table is encoded through the rule file's input "
                    + "declarations, and there are none (engram train writes them; pass that rule file)");
        }
        float[][] x = new float[t.rows()][layout.width()];
        for (DataLayout.Field f : layout.fields()) {
            Column c = column(t, f.id(), file);
            encode(c, f, x, file);
        }
        int task = -1;
        int[] labels = null;
        for (int c = 0; c < t.columns().size() && task < 0; c++) {
            int[] map = outputsOf(t.columns().get(c), layout.outputs());
            if (map != null) {
                task = c;
                labels = map;
            }
        }
        String d = file.getFileName() + " (" + t.rows() + " rows" + (task >= 0 ? ", task label "
                + t.columns().get(task).name() : "") + ")";
        return new TableExamples(t, d, x, task, labels);
    }

    private static Column column(Table t, String id, Path file) {
        for (Column c : t.columns()) {
            if (c.name().equals(id) || Encoding.identifier(c.name()).equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException(file + ": no column for the declared input '" + id + "' (columns: "
                + String.join(", ", t.names()) + ")");
    }

    private static void encode(Column c, DataLayout.Field f, float[][] x, Path file) {
        if (f.categorical()) {
            if (!(c instanceof Column.Categorical k)) {
                throw new IllegalArgumentException(file + ": column '" + c.name() + "' is numerical, input '" + f.id()
                        + "' is declared categorical");
            }
            int[] slotOf = new int[k.levels().size()];
            for (int l = 0; l < slotOf.length; l++) {
                String lv = k.levels().get(l);
                int v = f.values().indexOf(lv);
                slotOf[l] = v >= 0 ? v : f.values().indexOf(Encoding.identifier(lv));
            }
            for (int r = 0; r < x.length; r++) {
                int code = k.codes()[r];
                if (code >= 0 && slotOf[code] >= 0) {
                    x[r][f.slot() + slotOf[code]] = 1f;
                }
            }
            return;
        }
        if (!(c instanceof Column.Numeric n)) {
            throw new IllegalArgumentException(file + ": column '" + c.name() + "' is categorical, input '" + f.id()
                    + "' is declared real");
        }
        for (int r = 0; r < x.length; r++) {
            double v = n.values()[r];
            x[r][f.slot()] = Double.isNaN(v) ? 0f : (float) (v * f.scale() + f.offset());
        }
    }

    /** Level → output index when the declared outputs are named {@code identifier(column_level)}; else null. */
    private static int[] outputsOf(Column c, List<String> outputs) {
        if (!(c instanceof Column.Categorical k)) {
            return null;
        }
        List<String> levels = k.levels();
        int[] map = new int[levels.size()];
        int found = 0;
        for (int l = 0; l < levels.size(); l++) {
            String v = levels.get(l);
            String id = Encoding.identifier(c.name() + "_" + (v.endsWith(".") ? v.substring(0, v.length() - 1) : v));
            map[l] = outputs.indexOf(id);
            found += map[l] >= 0 ? 1 : 0;
        }
        return found >= 2 ? map : null;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public List<String> columns() {
        return table.names();
    }

    @Override
    public List<String> levels(int column) {
        return table.columns().get(column) instanceof Column.Categorical k ? k.levels() : null;
    }

    @Override
    public int task(double value) {
        return taskColumn < 0 || Double.isNaN(value) ? -1 : taskLabels[(int) value];
    }

    @Override
    public int taskColumn() {
        return taskColumn;
    }

    @Override
    public Batch next(int max) {
        int n = Math.min(max, x.length - at);
        if (n <= 0) {
            return null;
        }
        double[][] values = new double[table.columns().size()][n];
        for (int c = 0; c < values.length; c++) {
            Column col = table.columns().get(c);
            for (int r = 0; r < n; r++) {
                values[c][r] = col instanceof Column.Categorical k ? (k.codes()[at + r] < 0 ? Double.NaN
                        : k.codes()[at + r]) : ((Column.Numeric) col).values()[at + r];
            }
        }
        float[][] rows = new ArrayList<>(List.of(x).subList(at, at + n)).toArray(new float[0][]);
        at += n;
        return new Batch(rows, values, n);
    }

    @Override
    public void close() {
        // nothing held open: the table was read whole
    }
}
