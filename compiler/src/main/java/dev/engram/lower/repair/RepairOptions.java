package dev.engram.lower.repair;

import dev.engram.ir.Decision;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Options of {@link OutputLayerRepair}. Built with {@link #builder()} ({@code opt*} for each optional value, all
 * values are optional) or taken as {@link #defaults()}.
 *
 * @param domain            where fidelity samples are drawn (model units); null: the bounding box of the region
 * @param decision          how the outputs decide (the decision is preserved on samples outside the violation)
 * @param samples           number of fidelity samples the LP preserves decisions on
 * @param fidelityWeight    LP penalty per unit of decision-margin violation on one sample (vs. the L1 norm of the
 *                          parameter change)
 * @param clearance         relative safety clearance by which every subdomain's bounds must refute the unsafe set
 *                          (a share of the output scale plus the refuted constraint's scale)
 * @param initialSubdomains subdomains per region box before the first LP (more, up to half the cap, where the
 *                          bounds stay looser than the output scale)
 * @param maxSubdomains     cap on subdomains over all refinement
 * @param refineRounds      LP re-solves after splitting the subdomains whose rows bind
 * @param splitsPerRound    subdomains split per refinement round
 * @param maxIterations     verification attempts (each failure raises the clearance and refines)
 * @param verifyTimeout     seconds per verifier call on the rule as given (on the partition: six times as much plus
 *                          50 ms per box of its cover, 200 ms per leaf when the cover ran out of time)
 * @param lpTimeout         seconds per LP solve
 * @param seed              random seed (sampling); results are deterministic for a seed
 * @param deadline          when the repair stops ({@link Deadline.Expired}): checked between LP rounds, samples and
 *                          subdomains; verifier calls and LP solves get at most the time left
 * @param written           what a candidate becomes before the verifier validates it: by default itself; a function
 *                          that writes it to a model file and reads the file back makes every validation a proof on
 *                          that file, so a caller need not prove the same properties on it again
 * @param points            the fidelity samples themselves, each with its weight in the objective (a multiple of
 *                          {@code fidelityWeight}); when not empty they replace the {@code samples} uniform draws on
 *                          the domain (e.g. the features of real inputs of a model the network is the head of)
 * @param validation        how a candidate is validated: null (the default), by the verifier on the network itself
 *                          over each goal's region ({@link PartitionValidation}); else by this, e.g. on the whole
 *                          model the network is the head of ({@link GoalValidation})
 */
public record RepairOptions(Box domain, Decision decision, int samples, double fidelityWeight, double clearance,
                            int initialSubdomains, int maxSubdomains, int refineRounds, int splitsPerRound,
                            int maxIterations, double verifyTimeout, double lpTimeout, long seed,
                            Deadline deadline, UnaryOperator<DenseNetwork> written, List<Point> points,
                            GoalValidation validation) {

    /** A given fidelity sample: an input of the network and its weight in the repair's objective (> 0). */
    public record Point(float[] x, double weight) {
        public Point {
            if (!(weight > 0)) {
                throw new IllegalArgumentException("a fidelity point needs a positive weight, not " + weight);
            }
        }
    }

    public RepairOptions {
        if (samples < 0 || initialSubdomains < 1 || maxSubdomains < initialSubdomains || maxIterations < 1
                || clearance <= 0 || fidelityWeight < 0 || verifyTimeout <= 0 || lpTimeout <= 0) {
            throw new IllegalArgumentException("invalid repair options");
        }
        if (decision == null) {
            decision = Decision.ARGMIN;
        }
        if (deadline == null) {
            deadline = Deadline.NONE;
        }
        if (written == null) {
            written = UnaryOperator.identity();
        }
        points = points == null ? List.of() : List.copyOf(points);
    }

    /** {@code seconds}, or the time left before the deadline when that is less (0 once it passed). */
    public double within(double seconds) {
        return Math.min(seconds, deadline.secondsLeft());
    }

    /** The defaults: see {@link Builder}'s field initialisers. */
    public static RepairOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder in the DJL style: {@code opt*} for optional values, then {@link #build()}. */
    public static final class Builder {
        private Box domain;
        private Decision decision = Decision.ARGMIN;
        private int samples = 10000;
        private double fidelityWeight = 10.0;
        private double clearance = 2e-3;
        private int initialSubdomains = 256;
        private int maxSubdomains = 1024;
        private int refineRounds = 15;
        private int splitsPerRound = 64;
        private int maxIterations = 3;
        private double verifyTimeout = 5;
        private double lpTimeout = 60;
        private long seed = 0x5EED;
        private Deadline deadline = Deadline.NONE;
        private UnaryOperator<DenseNetwork> written;
        private List<Point> points = List.of();
        private GoalValidation validation;

        private Builder() {
        }

        /** Draw fidelity samples uniformly on this box (model units); null: the bounding box of the regions. */
        public Builder optDomain(Box domain) {
            this.domain = domain;
            return this;
        }

        /** How the model decides (default: arg-min, the ACAS Xu convention). */
        public Builder optDecision(Decision decision) {
            this.decision = decision;
            return this;
        }

        public Builder optSamples(int samples) {
            this.samples = samples;
            return this;
        }

        public Builder optFidelityWeight(double weight) {
            this.fidelityWeight = weight;
            return this;
        }

        public Builder optClearance(double clearance) {
            this.clearance = clearance;
            return this;
        }

        /** Subdomains per region box before the first LP, and the cap over all refinement. */
        public Builder optSubdomains(int initial, int max) {
            this.initialSubdomains = initial;
            this.maxSubdomains = max;
            return this;
        }

        /** LP re-solves after splitting binding subdomains, and subdomains split per round. */
        public Builder optRefinement(int rounds, int splitsPerRound) {
            this.refineRounds = rounds;
            this.splitsPerRound = splitsPerRound;
            return this;
        }

        public Builder optMaxIterations(int iterations) {
            this.maxIterations = iterations;
            return this;
        }

        public Builder optVerifyTimeout(double seconds) {
            this.verifyTimeout = seconds;
            return this;
        }

        public Builder optLpTimeout(double seconds) {
            this.lpTimeout = seconds;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** When the repair stops (default: none). */
        public Builder optDeadline(Deadline deadline) {
            this.deadline = deadline;
            return this;
        }

        /**
         * What each candidate becomes before it is validated (default: itself), e.g. the network read back from the
         * model file it was written to: the validations are then proofs on that file.
         */
        public Builder optWritten(UnaryOperator<DenseNetwork> written) {
            this.written = written;
            return this;
        }

        /**
         * The fidelity samples themselves, each with its weight (default: none, {@code samples} uniform draws on the
         * domain instead).
         */
        public Builder optPoints(List<Point> points) {
            this.points = points;
            return this;
        }

        /**
         * How each candidate is validated (default: the verifier on the network itself over each goal's region),
         * e.g. on the whole model the network is the head of.
         */
        public Builder optValidation(GoalValidation validation) {
            this.validation = validation;
            return this;
        }

        public RepairOptions build() {
            return new RepairOptions(domain, decision, samples, fidelityWeight, clearance, initialSubdomains,
                    maxSubdomains, refineRounds, splitsPerRound, maxIterations, verifyTimeout, lpTimeout, seed,
                    deadline, written, points, validation);
        }
    }
}
