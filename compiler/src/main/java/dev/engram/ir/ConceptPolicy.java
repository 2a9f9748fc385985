package dev.engram.ir;

import java.nio.file.Path;

/**
 * How statements over learned concepts are served and judged: the dictionary to use ({@code null}: learn it from the
 * rule file's concept data), independent test data ({@code null}: the conventional sibling of the concept's data when
 * it exists, e.g. {@code t10k-images-idx3-ubyte.gz} beside {@code train-images-idx3-ubyte.gz}), the quality gate on a
 * concept's held-out AUC, and the measured thresholds a compiled statement must meet: efficacy and locality (shares),
 * drawdown (task accuracy lost, as a share: 0.005 is half a point), and for erasure how much better than the majority
 * rate a fresh linear probe may still predict the concept.
 */
public record ConceptPolicy(Path dictionary, Path testData, double minAuc, double minEfficacy, double minLocality,
                            double maxDrawdown, double maxProbeAdvantage) {

    public static final double DEFAULT_MIN_AUC = 0.9;
    public static final double DEFAULT_MIN_EFFICACY = 0.99;
    public static final double DEFAULT_MIN_LOCALITY = 0.995;
    public static final double DEFAULT_MAX_DRAWDOWN = 0.005;
    public static final double DEFAULT_MAX_PROBE_ADVANTAGE = 0.01;

    /** The defaults: learn from the rule file, AUC ≥ 0.9, efficacy ≥ 99 %, locality ≥ 99.5 %, drawdown ≤ 0.5 pt. */
    public static ConceptPolicy defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder in the DJL style: {@code opt*} for optional values, then {@link #build()}. */
    public static final class Builder {
        private Path dictionary;
        private Path testData;
        private double minAuc = DEFAULT_MIN_AUC;
        private double minEfficacy = DEFAULT_MIN_EFFICACY;
        private double minLocality = DEFAULT_MIN_LOCALITY;
        private double maxDrawdown = DEFAULT_MAX_DRAWDOWN;
        private double maxProbeAdvantage = DEFAULT_MAX_PROBE_ADVANTAGE;

        private Builder() {
        }

        /** A dictionary file to use instead of learning from the rule file's concept data (null: learn). */
        public Builder optDictionary(Path dictionary) {
            this.dictionary = dictionary;
            return this;
        }

        /** Independent test data (null: the conventional sibling of the concept's data, when it exists). */
        public Builder optTestData(Path testData) {
            this.testData = testData;
            return this;
        }

        public Builder optMinAuc(double minAuc) {
            this.minAuc = minAuc;
            return this;
        }

        public Builder optMinEfficacy(double minEfficacy) {
            this.minEfficacy = minEfficacy;
            return this;
        }

        public Builder optMinLocality(double minLocality) {
            this.minLocality = minLocality;
            return this;
        }

        /** Task accuracy lost, as a share (0.005 is half a point). */
        public Builder optMaxDrawdown(double maxDrawdown) {
            this.maxDrawdown = maxDrawdown;
            return this;
        }

        public Builder optMaxProbeAdvantage(double maxProbeAdvantage) {
            this.maxProbeAdvantage = maxProbeAdvantage;
            return this;
        }

        public ConceptPolicy build() {
            return new ConceptPolicy(dictionary, testData, minAuc, minEfficacy, minLocality, maxDrawdown,
                    maxProbeAdvantage);
        }
    }
}
