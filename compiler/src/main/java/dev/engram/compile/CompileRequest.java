package dev.engram.compile;

import dev.engram.ir.Decision;

import dev.engram.ir.Obligation;
import dev.engram.verify.Box;

import java.nio.file.Path;
import java.util.List;

/**
 * What to compile: a model file, the obligations (IR, model units), where to write the patched model, the patch
 * and the report (each may be null), the domain fidelity is sampled on (null: around the rules' regions), how the
 * model decides, the verification budget per obligation, the rules' source hash and the units used to show
 * counterexamples. Built with {@link #builder()}.
 */
public record CompileRequest(Path model, List<Obligation> obligations, Path out, Path patch, Path report,
                             SampleDomain domain, Decision decision, int fidelitySamples,
                             double verifyTimeoutSeconds, String rulesSha256, Units units) {
    public CompileRequest {
        obligations = List.copyOf(obligations);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder in the DJL style: {@code set*} for required values, {@code opt*} for optional ones. */
    public static final class Builder {
        private Path model;
        private List<Obligation> obligations = List.of();
        private Path out;
        private Path patch;
        private Path report;
        private SampleDomain domain;
        private Decision decision = Decision.ARGMIN;
        private int samples = 5000;
        private double timeout = 120;
        private String rulesSha256 = "";
        private Units units = Units.none();

        public Builder setModel(Path model) {
            this.model = model;
            return this;
        }

        public Builder setObligations(List<Obligation> obligations) {
            this.obligations = obligations;
            return this;
        }

        public Builder optOut(Path out) {
            this.out = out;
            return this;
        }

        public Builder optPatch(Path patch) {
            this.patch = patch;
            return this;
        }

        public Builder optReport(Path report) {
            this.report = report;
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

        /** How the model decides (default: arg-min, the ACAS Xu convention). */
        public Builder optDecision(Decision decision) {
            this.decision = decision;
            return this;
        }

        public Builder optFidelitySamples(int samples) {
            this.samples = samples;
            return this;
        }

        public Builder optVerifyTimeout(double seconds) {
            this.timeout = seconds;
            return this;
        }

        public Builder optRulesSha256(String sha) {
            this.rulesSha256 = sha;
            return this;
        }

        public Builder optUnits(Units units) {
            this.units = units;
            return this;
        }

        public CompileRequest build() {
            if (model == null) {
                throw new IllegalArgumentException("a model is required");
            }
            if (obligations.isEmpty()) {
                throw new IllegalArgumentException("nothing to compile: no obligations");
            }
            return new CompileRequest(model, obligations, out, patch, report, domain, decision, samples, timeout,
                    rulesSha256, units);
        }
    }
}
