package dev.engram.verify;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.bounds.BoundNetwork;
import dev.engram.verify.bounds.Deadline;

import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * The complete verifier: falsification first ({@link Falsifier}: sampling and projected-gradient attack), then
 * branch and bound over the input box. Each subdomain is bounded with symbolic forward bounds (intersected with
 * its parent's) tightened by backward (CROWN) passes; each conjunction of the unsafe set is refuted through
 * {@link ConjunctionBound} (single constraints or a dual-weighted combination of them) when a sound lower bound of
 * it is positive. Subdomains that are not refuted yield candidate points (centre, bound minimisers, a short
 * attack now and then) and are split along the input chosen by lookahead (cheap bounds of both halves of every
 * input; a half refuted already is dropped). A short first round is followed by a strong attack for the instances
 * it leaves open.
 *
 * <p>Soundness: {@code unsat} only when every subdomain is refuted by bounds that hold for the network as executed in
 * float32 in any summation order (the error model of {@link dev.engram.verify.bounds.LinearBounds}); {@code sat} only
 * with a witness re-executed in float32 by {@link DenseNetwork#evaluate} that lies in the region and in the unsafe
 * set, checked in exact arithmetic.
 * Subdomains are explored by a fork/join pool of {@link VerifyOptions#threads()} workers; the verdict does not
 * depend on the schedule (only which witness is reported may).
 */
public final class BranchAndBoundVerifier implements Verifier {
    /**
     * Length of the first branch-and-bound round (checked every 64 subdomains), after which a strong attack runs
     * before the search resumes.
     */
    static final long SHORT_ROUND_NANOS = 500_000_000L;

    private BranchAndBoundVerifier() {
    }

    public static Verifier create() {
        return new BranchAndBoundVerifier();
    }

    @Override
    public Verdict verify(DenseNetwork network, Property property, VerifyOptions options) {
        long start = System.nanoTime();
        Deadline deadline = Deadline.after(options.timeoutSeconds());
        BoundNetwork bn = BoundNetwork.of(network);
        Falsifier falsifier = new Falsifier(network, bn, property, options.seed()).until(deadline.nanos());
        // 1. falsification on every box
        for (Box box : property.region().boxes()) {
            double[] w = falsifier.search(box, deadline.nanos());
            if (w != null) {
                return falsifier.witness(w, seconds(start));
            }
        }
        if (bn.unsupported() != null) {
            return new Verdict.Unknown(bn.unsupported(), seconds(start));
        }
        if (deadline.passed()) {
            return new Verdict.Timeout(seconds(start));
        }
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, options.threads()));
        try {
            return branchAndBound(network, bn, falsifier, property, options, deadline, pool, start);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Branch and bound over every box of the region: a short round, then (for hard instances only) a much larger
     * attack, then the rest of the time.
     */
    private static Verdict branchAndBound(DenseNetwork network, BoundNetwork bn, Falsifier falsifier, Property property,
                                          VerifyOptions options, Deadline deadline, ForkJoinPool pool, long start) {
        List<Box> boxes = property.region().boxes();
        boolean[] done = new boolean[boxes.size()];
        boolean unknown = false;
        for (int round = 0; round < 2; round++) {
            long roundEnd = round == 0 ? System.nanoTime() + SHORT_ROUND_NANOS : Long.MAX_VALUE;
            boolean timedOut = false;
            for (int bi = 0; bi < boxes.size(); bi++) {
                if (done[bi]) {
                    continue;
                }
                Box box = boxes.get(bi);
                SubdomainSearch s = new SubdomainSearch(bn, falsifier, property, box, deadline, roundEnd);
                pool.invoke(s.root(box));
                if (SubdomainSearch.DEBUG) {
                    System.err.printf("[bab] %s#%d round %d: %d subdomains, %d leaves refuted (volume %.6f) in %.3f s%n",
                            property.name(), bi, round, s.nodes.get(), s.leaves.get(), s.refutedVolume.sum(),
                            seconds(start));
                }
                if (s.witness.get() != null) {
                    return falsifier.witness(s.witness.get(), seconds(start));
                }
                if (s.timedOut) {
                    timedOut = true;
                    continue;
                }
                done[bi] = true;
                unknown |= s.gaveUp;
            }
            if (!timedOut) {
                return unknown ? new Verdict.Unknown("subdomains too small to split further", seconds(start))
                        : new Verdict.Unsat(seconds(start));
            }
            if (round == 0 && !deadline.passed()) {
                Falsifier strong = new Falsifier(network, bn, property, options.seed() + 1, 20_000, 300, 80)
                        .until(deadline.nanos());
                for (int bi = 0; bi < boxes.size(); bi++) {
                    double[] w = done[bi] ? null : strong.search(boxes.get(bi), deadline.nanos());
                    if (w != null) {
                        return strong.witness(w, seconds(start));
                    }
                }
            }
        }
        return new Verdict.Timeout(seconds(start));
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
