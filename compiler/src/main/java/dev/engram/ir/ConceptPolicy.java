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
        return new ConceptPolicy(null, null, DEFAULT_MIN_AUC, DEFAULT_MIN_EFFICACY, DEFAULT_MIN_LOCALITY,
                DEFAULT_MAX_DRAWDOWN, DEFAULT_MAX_PROBE_ADVANTAGE);
    }

    public ConceptPolicy withDictionary(Path p) {
        return new ConceptPolicy(p, testData, minAuc, minEfficacy, minLocality, maxDrawdown, maxProbeAdvantage);
    }

    public ConceptPolicy withTestData(Path p) {
        return new ConceptPolicy(dictionary, p, minAuc, minEfficacy, minLocality, maxDrawdown, maxProbeAdvantage);
    }

    public ConceptPolicy withThresholds(double minAuc, double minEfficacy, double minLocality, double maxDrawdown) {
        return new ConceptPolicy(dictionary, testData, minAuc, minEfficacy, minLocality, maxDrawdown,
                maxProbeAdvantage);
    }
}
