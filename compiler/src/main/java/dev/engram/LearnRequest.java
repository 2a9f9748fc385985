package dev.engram;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What to learn a neural-code dictionary from: the model, the data (IDX, NPY, CSV or ARFF; optional when every
 * concept's declaration names its file), the rule file declaring the concepts ({@code concept C from "FILE" column
 * "..."}; without one, every class of the data's labels is a concept), where to write the {@code .ncd} file, extra
 * layers to tap besides the hidden ones (0: the input), the split's seed and held-out share, the quality gate
 * {@code --min-auc} that concepts are reported against, and how many unsupervised atoms to learn per tapped layer
 * (0: none). Built with {@link #builder()}.
 */
public record LearnRequest(Path model, Optional<Path> data, Optional<Path> concepts, Path out,
                           java.util.Set<Integer> layers, long seed, double heldOut, double minAuc,
                           int atoms) {
    public LearnRequest {
        layers = java.util.Set.copyOf(layers);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder in the DJL style: {@code set*} for required values, {@code opt*} for optional ones. */
    public static final class Builder {
        private Path model;
        private Path data;
        private Path concepts;
        private Path out;
        private java.util.Set<Integer> layers = java.util.Set.of();
        private long seed = 0x5EED;
        private double heldOut = 0.2;
        private double minAuc = dev.engram.ir.ConceptPolicy.DEFAULT_MIN_AUC;
        private int atoms;

        public Builder setModel(Path model) {
            this.model = model;
            return this;
        }

        /** Where to write the dictionary. */
        public Builder setOut(Path out) {
            this.out = out;
            return this;
        }

        /** The data every concept is learned from (overrides the files the declarations name). */
        public Builder optData(Path data) {
            this.data = data;
            return this;
        }

        /** The rule file declaring the concepts (its input declarations also encode tables). */
        public Builder optConcepts(Path rules) {
            this.concepts = rules;
            return this;
        }

        /** Layers to tap besides the hidden ones (0 is the input). */
        public Builder optLayers(java.util.Set<Integer> layers) {
            this.layers = layers;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The share of rows held out to measure each concept's code (default 0.2). */
        public Builder optHeldOut(double share) {
            this.heldOut = share;
            return this;
        }

        public Builder optMinAuc(double minAuc) {
            this.minAuc = minAuc;
            return this;
        }

        /** Unsupervised atoms to learn per tapped layer, each named by its best-matching concept (0: none). */
        public Builder optAtoms(int atoms) {
            this.atoms = atoms;
            return this;
        }

        public LearnRequest build() {
            return new LearnRequest(model, Optional.ofNullable(data), Optional.ofNullable(concepts), out, layers, seed,
                    heldOut, minAuc, atoms);
        }
    }
}
