package dev.engram.lower.repair;

import dev.engram.ir.Decision;

import dev.engram.verify.Box;

/**
 * Options of {@link dev.engram.lower.RepairLowering}.
 *
 * @param domain            where fidelity samples are drawn (model units); null: the bounding box of the region
 * @param decision          how the outputs decide (the decision is preserved on samples outside the violation)
 * @param samples           number of fidelity samples the LP preserves decisions on
 * @param fidelityWeight    LP penalty per unit of decision-margin violation on one sample (vs. the L1 norm of the
 *                          parameter change)
 * @param margin            relative safety margin by which every subdomain must refute the unsafe set
 * @param initialSubdomains subdomains per region box before the first LP (more, up to half the cap, where the
 *                          bounds stay looser than the output scale)
 * @param maxSubdomains     cap on subdomains over all refinement
 * @param refineRounds      LP re-solves after splitting the subdomains whose rows bind
 * @param splitsPerRound    subdomains split per refinement round
 * @param maxIterations     verification attempts (each failure raises the margin and refines)
 * @param verifyTimeout     seconds per verifier call on the rule as given (on the partition: six times as much plus 50 ms per box)
 * @param lpTimeout         seconds per LP solve
 * @param seed              random seed (sampling); results are deterministic for a seed
 */
public record RepairOptions(Box domain, Decision decision, int samples, double fidelityWeight, double margin,
                            int initialSubdomains, int maxSubdomains, int refineRounds, int splitsPerRound,
                            int maxIterations, double verifyTimeout, double lpTimeout, long seed) {

    public RepairOptions {
        if (samples < 0 || initialSubdomains < 1 || maxSubdomains < initialSubdomains || maxIterations < 1
                || margin <= 0 || fidelityWeight < 0 || verifyTimeout <= 0 || lpTimeout <= 0) {
            throw new IllegalArgumentException("invalid repair options");
        }
        if (decision == null) {
            decision = Decision.ARGMIN;
        }
    }

    public static RepairOptions defaults() {
        return new RepairOptions(null, Decision.ARGMIN, 10000, 10.0, 2e-3, 256, 1024, 15, 64, 3, 5, 60, 0x5EED);
    }

    public RepairOptions withDomain(Box d) {
        return new RepairOptions(d, decision, samples, fidelityWeight, margin, initialSubdomains, maxSubdomains,
                refineRounds, splitsPerRound, maxIterations, verifyTimeout, lpTimeout, seed);
    }

    public RepairOptions withDecision(Decision d) {
        return new RepairOptions(domain, d, samples, fidelityWeight, margin, initialSubdomains, maxSubdomains,
                refineRounds, splitsPerRound, maxIterations, verifyTimeout, lpTimeout, seed);
    }

    public RepairOptions withSamples(int n) {
        return new RepairOptions(domain, decision, n, fidelityWeight, margin, initialSubdomains, maxSubdomains,
                refineRounds, splitsPerRound, maxIterations, verifyTimeout, lpTimeout, seed);
    }

    public RepairOptions withSubdomains(int initial, int max) {
        return new RepairOptions(domain, decision, samples, fidelityWeight, margin, initial, max,
                refineRounds, splitsPerRound, maxIterations, verifyTimeout, lpTimeout, seed);
    }

    public RepairOptions withRefinement(int rounds, int splits) {
        return new RepairOptions(domain, decision, samples, fidelityWeight, margin, initialSubdomains, maxSubdomains,
                rounds, splits, maxIterations, verifyTimeout, lpTimeout, seed);
    }

    public RepairOptions withVerifyTimeout(double seconds) {
        return new RepairOptions(domain, decision, samples, fidelityWeight, margin, initialSubdomains, maxSubdomains,
                refineRounds, splitsPerRound, maxIterations, seconds, lpTimeout, seed);
    }

    public RepairOptions withMaxIterations(int n) {
        return new RepairOptions(domain, decision, samples, fidelityWeight, margin, initialSubdomains, maxSubdomains,
                refineRounds, splitsPerRound, n, verifyTimeout, lpTimeout, seed);
    }

    public RepairOptions withFidelityWeight(double w) {
        return new RepairOptions(domain, decision, samples, w, margin, initialSubdomains, maxSubdomains,
                refineRounds, splitsPerRound, maxIterations, verifyTimeout, lpTimeout, seed);
    }

    public RepairOptions withSeed(long s) {
        return new RepairOptions(domain, decision, samples, fidelityWeight, margin, initialSubdomains, maxSubdomains,
                refineRounds, splitsPerRound, maxIterations, verifyTimeout, lpTimeout, s);
    }
}
