package dev.engram.dict;

import dev.engram.data.ArrayData;

import java.nio.file.Path;
import java.util.List;

/**
 * The examples of a data file streamed in chunks: the model's inputs (model units) and the file's other columns
 * (for concepts and task labels). Array files (IDX, NPY) are read chunk by chunk, so memory does not grow with the
 * file; tables (CSV, ARFF) are read whole and encoded through the rule file's declarations ({@link DataLayout}).
 */
interface ExampleStream extends AutoCloseable {

    /** Where the examples come from, for reports. */
    String description();

    /** Column names: {@code label} for array files with labels; every column for tables. */
    List<String> columns();

    /** The levels of a categorical column, null for a numerical one. */
    List<String> levels(int column);

    /** The column holding the task labels (the right model output), or -1 when there is none. */
    int taskColumn();

    /** The model output a value of the task column stands for, -1 when none (missing, unknown). */
    int task(double value);

    /**
     * The next chunk of at most {@code max} rows, or null at the end: inputs {@code x[r]} and column values
     * {@code values[c][r]} (numbers, or level indices for categorical columns; NaN when missing).
     */
    Batch next(int max);

    @Override
    void close();

    record Batch(float[][] x, double[][] values, int size) {
    }

    /** Opens {@code file} as arrays or a table (by name), encoded with {@code layout}. */
    static ExampleStream open(Path file, DataLayout layout) {
        if (ArrayData.isArrayFile(file)) {
            return ArrayExamples.open(file, layout);
        }
        return TableExamples.open(file, layout);
    }
}
