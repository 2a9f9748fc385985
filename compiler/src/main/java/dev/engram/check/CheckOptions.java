package dev.engram.check;

import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * What the checker may know beyond the rule file: the model's input and output counts (to catch
 * out-of-range indices) and the folder relative paths are resolved against (null: do not touch the disk).
 */
public record CheckOptions(OptionalInt modelInputs, OptionalInt modelOutputs, Path baseDir) {
    /** No model, no file system access. */
    public static CheckOptions none() {
        return new CheckOptions(OptionalInt.empty(), OptionalInt.empty(), null);
    }
}
