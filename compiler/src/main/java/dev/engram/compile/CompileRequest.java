package dev.engram.compile;

import dev.engram.front.FrontEnd;
import dev.engram.front.PointSet;
import dev.engram.ir.ConceptPolicy;
import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.ir.Units;
import dev.engram.source.SourceFile;
import dev.engram.verify.Box;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What to compile: a rule file and/or VNN-LIB files to enforce and/or obligations built in Java, the model (default:
 * the rule file's {@code model} declaration), the strategy for the VNN-LIB files, the guard's dilation, where
 * fidelity is sampled and how the model decides (defaults from the rule file), the fidelity sample count, the
 * time limit of the whole compilation, and where to write the patched model, the patch and the JSON report (each
 * may be null). Built with {@link #builder()}.
 */
public record CompileRequest(Optional<FrontEnd.RuleSource> rules, Optional<Path> model, List<Path> enforce,
                             Obligation.Strategy strategy, List<Obligation> obligations, double dilationFraction,
                             SampleDomain domain, Decision decision, Units units, int fidelitySamples,
                             double timeoutSeconds, long seed, Path out, Path patch, Path report,
                             ConceptPolicy concepts, List<PointSet> points) {
    public CompileRequest {
        enforce = List.copyOf(enforce);
        obligations = List.copyOf(obligations);
        points = List.copyOf(points);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What the front end reads for this request. */
    public FrontEnd.Input frontInput() {
        return new FrontEnd.Input(rules, model, enforce, strategy, obligations, dilationFraction, domain, decision,
                false, concepts, points);
    }

    /** Builder in the DJL style: {@code set*} for required values, {@code opt*}/{@code add*} for optional ones. */
    public static final class Builder {
        private FrontEnd.RuleSource rules;
        private Path model;
        private final List<Path> enforce = new ArrayList<>();
        private final List<PointSet> points = new ArrayList<>();
        private Obligation.Strategy strategy = Obligation.Strategy.AUTO;
        private final List<Obligation> obligations = new ArrayList<>();
        private double dilation = Obligation.DEFAULT_DILATION;
        private SampleDomain domain;
        private Decision decision;
        private Units units;
        private int samples = 5000;
        private double timeout = 300;
        private long seed = 0x5EED;
        private Path out;
        private Path patch;
        private Path report;
        private ConceptPolicy concepts = ConceptPolicy.defaults();

        /** The model (required unless the rule file declares one). */
        public Builder setModel(Path model) {
            this.model = model;
            return this;
        }

        /** Obligations built in Java (the IR), compiled after those from text. */
        public Builder setObligations(List<Obligation> obligations) {
            this.obligations.clear();
            this.obligations.addAll(obligations);
            return this;
        }

        /** A rule file to compile. */
        public Builder optRules(Path rules) {
            this.rules = rules == null ? null : FrontEnd.RuleSource.of(rules);
            return this;
        }

        /** Rule text; its relative paths (model, imports, data) are resolved against {@code baseDir}. */
        public Builder optRules(SourceFile text, Path baseDir) {
            this.rules = FrontEnd.RuleSource.of(text, baseDir);
            return this;
        }

        /**
         * Inputs to fix (pointwise and local repair, {@code docs/repair.md}): each row of {@code points} must be
         * classified as its label, or every input of its ball; compiled with the local repair.
         */
        public Builder addPoints(PointSet points) {
            this.points.add(points);
            return this;
        }

        /** A VNN-LIB property to enforce: its unsafe set must become unreachable over its region. */
        public Builder addEnforce(Path vnnlib) {
            this.enforce.add(vnnlib);
            return this;
        }

        /**
         * The strategy for VNN-LIB properties to enforce (rules name theirs with {@code using}); default
         * {@link Obligation.Strategy#AUTO}.
         */
        public Builder optStrategy(Obligation.Strategy strategy) {
            this.strategy = strategy;
            return this;
        }

        /**
         * The guard's dilation, as a fraction of each input's declared domain (rules) or of the property's box
         * (VNN-LIB); default {@link Obligation#DEFAULT_DILATION}.
         */
        public Builder optDilation(double fraction) {
            this.dilation = fraction;
            return this;
        }

        /** Sample fidelity uniformly on this box. */
        public Builder optDomain(Box domain) {
            this.domain = domain == null ? null : SampleDomain.of(domain);
            return this;
        }

        public Builder optDomain(SampleDomain domain) {
            this.domain = domain;
            return this;
        }

        /** How the model decides (default: the rule file's {@code decide}, else arg-min, the ACAS Xu convention). */
        public Builder optDecision(Decision decision) {
            this.decision = decision;
            return this;
        }

        /** How to show model-unit vectors (default: the rule file's declarations, else {@code X_i}/{@code Y_j}). */
        public Builder optUnits(Units units) {
            this.units = units;
            return this;
        }

        public Builder optFidelitySamples(int samples) {
            this.samples = samples;
            return this;
        }

        /**
         * The time limit of the whole compilation, in seconds (default 300): past it, the compilation stops with
         * {@code E063} and writes no model and no patch. Every verifier call gets the time left.
         */
        public Builder optTimeout(double seconds) {
            this.timeout = seconds;
            return this;
        }

        /** The seed of every random choice (sampling, repair); results are deterministic for a seed. */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Where to write the patched model (only when every obligation is proved). */
        public Builder optOut(Path out) {
            this.out = out;
            return this;
        }

        /** Where to write the patch (only when every obligation is proved). */
        public Builder optPatch(Path patch) {
            this.patch = patch;
            return this;
        }

        /** Where to write the JSON report (always). */
        public Builder optReport(Path report) {
            this.report = report;
            return this;
        }

        /**
         * How statements over learned concepts are served (a dictionary file, test data) and judged (the quality
         * gate and measured thresholds); default {@link ConceptPolicy#defaults()}.
         */
        public Builder optConcepts(ConceptPolicy concepts) {
            this.concepts = concepts == null ? ConceptPolicy.defaults() : concepts;
            return this;
        }

        public CompileRequest build() {
            return new CompileRequest(Optional.ofNullable(rules), Optional.ofNullable(model), enforce, strategy,
                    obligations, dilation, domain, decision, units, samples, timeout, seed, out, patch, report,
                    concepts, points);
        }
    }
}
