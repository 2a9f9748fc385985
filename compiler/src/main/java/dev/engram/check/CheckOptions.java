package dev.engram.check;

import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * What the checker may know beyond the rule file: the model's input and output counts (to catch
 * out-of-range indices) and the folder relative paths are resolved against (null: do not touch the disk).
 * Built with {@link #builder()} ({@code opt*} for each optional value) or taken as {@link #none()}.
 */
public record CheckOptions(OptionalInt modelInputs, OptionalInt modelOutputs, Path baseDir) {
    /** No model, no file system access. */
    public static CheckOptions none() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder in the DJL style: {@code opt*} for optional values, then {@link #build()}. */
    public static final class Builder {
        private OptionalInt modelInputs = OptionalInt.empty();
        private OptionalInt modelOutputs = OptionalInt.empty();
        private Path baseDir;

        private Builder() {
        }

        /** The model's input and output counts (both known once a model is loaded). */
        public Builder optModelShape(int inputs, int outputs) {
            this.modelInputs = OptionalInt.of(inputs);
            this.modelOutputs = OptionalInt.of(outputs);
            return this;
        }

        public Builder optModelShape(OptionalInt inputs, OptionalInt outputs) {
            this.modelInputs = inputs;
            this.modelOutputs = outputs;
            return this;
        }

        /** The folder relative paths in the rule file are resolved against. */
        public Builder optBaseDir(Path baseDir) {
            this.baseDir = baseDir;
            return this;
        }

        public CheckOptions build() {
            return new CheckOptions(modelInputs, modelOutputs, baseDir);
        }
    }
}
