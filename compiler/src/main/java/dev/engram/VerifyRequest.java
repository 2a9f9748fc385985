package dev.engram;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What to verify on a model, as it is (nothing is compiled): a VNN-LIB property (the VNN-COMP question: is its
 * unsafe set reachable?) or every rule, property and {@code ignore} of a rule file. Built with {@link #builder()}.
 *
 * @param result     where to write the VNN-COMP result file (VNN-LIB only; null: none)
 * @param dictionary a neural-code dictionary of the model: the rule file's statements over learned concepts are then
 *                   measured on the model as it is (a rule's efficacy held to {@code minEfficacy}, an erasure's
 *                   linear probe to the majority rate); without one they are only noted
 */
public record VerifyRequest(Path model, Optional<Path> vnnlib, Optional<Path> rules, double timeoutSeconds,
                            OptionalInt threads, Path result, Optional<Path> dictionary, double minEfficacy) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builder in the DJL style: {@code set*} for required values, {@code opt*} for optional ones. */
    public static final class Builder {
        private Path model;
        private Path vnnlib;
        private Path rules;
        private double timeout = 300;
        private Integer threads;
        private Path result;
        private Path dictionary;
        private double minEfficacy = dev.engram.ir.ConceptPolicy.DEFAULT_MIN_EFFICACY;

        /** The model (for a rule file: overrides its {@code model} declaration; may then be null). */
        public Builder setModel(Path model) {
            this.model = model;
            return this;
        }

        /** A VNN-LIB property to decide. */
        public Builder optVnnlib(Path vnnlib) {
            this.vnnlib = vnnlib;
            return this;
        }

        /** A rule file whose statements are checked one by one. */
        public Builder optRules(Path rules) {
            this.rules = rules;
            return this;
        }

        /** The time budget: for the VNN-LIB property, or per statement of a rule file (default 300 s). */
        public Builder optTimeout(double seconds) {
            this.timeout = seconds;
            return this;
        }

        /** Worker threads (default: all cores). */
        public Builder optThreads(Integer threads) {
            this.threads = threads;
            return this;
        }

        /** Where to write the VNN-COMP result file. */
        public Builder optResult(Path result) {
            this.result = result;
            return this;
        }

        /** A neural-code dictionary of the model ({@code engram learn}): concept statements are measured with it. */
        public Builder optDictionary(Path ncd) {
            this.dictionary = ncd;
            return this;
        }

        /** The share of concept-positive inputs a concept rule must be measured to keep (default 0.99). */
        public Builder optMinEfficacy(double minEfficacy) {
            this.minEfficacy = minEfficacy;
            return this;
        }

        public VerifyRequest build() {
            return new VerifyRequest(model, Optional.ofNullable(vnnlib), Optional.ofNullable(rules), timeout,
                    threads == null ? OptionalInt.empty() : OptionalInt.of(threads), result,
                    Optional.ofNullable(dictionary), minEfficacy);
        }
    }
}
