package dev.engram.dict;

import java.util.List;

/**
 * How a table's columns become the model's inputs and outputs, from the rule file's declarations: each declared
 * input names a column (by its rule-language identifier) and the model slots it fills — a real value as
 * {@code model = real × scale + offset}, a categorical value as a one-hot block — and each declared output names a
 * model output. Array data (IDX, NPY) needs none of it: rows are the model's inputs and labels its outputs.
 *
 * @param width   the model's input count
 * @param fields  the declared inputs
 * @param outputs the declared output names by model output index ({@code null} where none is declared)
 */
public record DataLayout(int width, List<Field> fields, List<String> outputs) {
    public DataLayout {
        fields = List.copyOf(fields);
        outputs = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(outputs));
    }

    /** One declared input: a real one ({@code values} empty) or a categorical one-hot block. */
    public record Field(String id, int slot, List<String> values, double scale, double offset) {
        public Field {
            values = List.copyOf(values);
        }

        public boolean categorical() {
            return !values.isEmpty();
        }
    }

    /** No declarations: only array data can be read. */
    public static DataLayout none(int width, int outputs) {
        return new DataLayout(width, List.of(), java.util.Collections.nCopies(outputs, null));
    }
}
