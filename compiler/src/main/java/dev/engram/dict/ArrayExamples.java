package dev.engram.dict;

import dev.engram.data.ArrayData;

import java.nio.file.Path;
import java.util.List;

/** Examples from an IDX or NPY inputs file and its labels file: rows are model inputs, labels are outputs. */
final class ArrayExamples implements ExampleStream {
    private final ArrayData.Rows rows;
    private final String description;
    private final int outputs;

    private ArrayExamples(ArrayData.Rows rows, String description, int outputs) {
        this.rows = rows;
        this.description = description;
        this.outputs = outputs;
    }

    static ArrayExamples open(Path file, DataLayout layout) {
        ArrayData.Rows rows = ArrayData.Rows.open(file, ArrayData.labelsFor(file));
        if (rows.width() != layout.width()) {
            rows.close();
            throw new IllegalArgumentException(file + ": rows of " + rows.width() + " values, the model reads "
                    + layout.width() + " inputs");
        }
        String d = file.getFileName() + " (" + rows.rows() + " rows" + (rows.hasLabels() ? ", labels" : "") + ")";
        return new ArrayExamples(rows, d, layout.outputs().size());
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public List<String> columns() {
        return rows.hasLabels() ? List.of("label") : List.of();
    }

    @Override
    public List<String> levels(int column) {
        return null;
    }

    @Override
    public int taskColumn() {
        return rows.hasLabels() ? 0 : -1;
    }

    /** Labels are output indices when they are whole numbers below the output count. */
    @Override
    public int task(double label) {
        return label >= 0 && label < outputs && label == Math.rint(label) ? (int) label : -1;
    }

    @Override
    public Batch next(int max) {
        ArrayData.Rows.Chunk c = rows.next(max);
        if (c == null) {
            return null;
        }
        double[][] values = new double[columns().size()][c.size()];
        for (int r = 0; r < c.size() && values.length > 0; r++) {
            values[0][r] = c.labels()[r];
        }
        return new Batch(c.x(), values, c.size());
    }

    @Override
    public void close() {
        rows.close();
    }
}
