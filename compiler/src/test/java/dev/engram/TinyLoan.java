package dev.engram;

import dev.engram.model.DenseNetworks;
import dev.engram.model.onnx.OnnxModel;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * A tiny loan model for tests of the front ends and reports: a seeded random 4-8-8-2 ReLU network (age, income, sex
 * as a one-hot pair; approve, reject) that approves some minors and depends on sex, and its declarations.
 */
public final class TinyLoan {
    /** The declarations, in real units. */
    public static final String DECLARATIONS = """
            input age at 0 in [0, 100] years
            input income at 1 in [0, 200000] EUR
            input sex at 2 one of {female, male}
            normalize age mean 50 range 100
            normalize income mean 100000 range 200000
            output approve at 0
            output reject at 1
            decide argmax
            """;

    private TinyLoan() {
    }

    /** Writes the model to {@code file} and returns it. */
    public static Path writeModel(Path file) {
        OnnxModel.fromDense(DenseNetworks.random(new Random(11), "fc", 0.2, 4, 8, 8, 2), "input", "output", true,
                Map.of()).write(file);
        return file;
    }
}
