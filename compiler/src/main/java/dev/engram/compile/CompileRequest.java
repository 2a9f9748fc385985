package dev.engram.compile;

import dev.engram.ir.Obligation;
import dev.engram.verify.Box;

import java.nio.file.Path;
import java.util.List;

/**
 * What to compile: a model file, the rules as IR obligations, where to write the patched model, the patch and
 * the report (each may be null), the input domain for fidelity sampling, and the verification budget per rule.
 * Built with {@link #builder()}.
 */
public record CompileRequest(Path model, List<Obligation> obligations, Path out, Path patch, Path report,
                             Box domain, int fidelitySamples, double verifyTimeoutSeconds, String rulesSha256) {
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
        private Box domain;
        private int samples = 5000;
        private double timeout = 120;
        private String rulesSha256 = "";

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

        public Builder optDomain(Box domain) {
            this.domain = domain;
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

        public CompileRequest build() {
            if (model == null) {
                throw new IllegalArgumentException("a model is required");
            }
            return new CompileRequest(model, obligations, out, patch, report, domain, samples, timeout, rulesSha256);
        }
    }
}
