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
 * input; a half refuted already is dropped). A short first round is followed by a quarter of a strong attack for
 * the instances it leaves open, then the search resumes from the subdomains the first round left unexplored; at a
 * tenth of the time limit the instances still open get the rest of the attack, and the search resumes again.
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
     * Shortest first branch-and-bound round (checked before every subdomain), after which a strong attack runs
     * before the search resumes.
     */
    static final long SHORT_ROUND_NANOS = 500_000_000L;
    /**
     * The share of the time limit the first round lasts, when longer than {@link #SHORT_ROUND_NANOS} (default 0: the
     * short round only). The quarter of the strong attack after it costs little beside the search (ACAS Xu,
     * 2026-11-27: the instances that outlast 0.5 s took the same time either way), while a counterexample the quick
     * attack misses waited for the whole first round (2.3 s at 2 % of ACAS Xu's 116 s).
     */
    static final double FIRST_ROUND_SHARE = Double.parseDouble(System.getProperty("engram.verify.firstRoundShare",
            "0"));
    /** The strong attack's independent parts (see {@link #strongAttack}). */
    static final int ATTACK_PARTS = 4;
    /**
     * The share of the time limit by which the second round ends (when longer than the first round), after which the
     * second stage of the strong attack runs.
     */
    static final double SECOND_ROUND_SHARE = 0.1;
    /** The strong attack's random samples and gradient descents, over all its parts and both stages. */
    static final int ATTACK_SAMPLES = 20_000;
    static final int ATTACK_DESCENTS = 300;

    /**
     * The falsification of each box of a region of several boxes before branch and bound: samples, descents and
     * their steps (the full search of a single box: {@code 512, 6, 60}).
     */
    static final int LIGHT_SAMPLES = Integer.getInteger("engram.verify.lightSamples", 64);
    static final int LIGHT_RESTARTS = Integer.getInteger("engram.verify.lightRestarts", 1);
    static final int LIGHT_STEPS = 30;

    /** The first round's length in nanoseconds, or -1 for {@link #firstRoundNanos the default}. */
    private final long firstRound;

    private BranchAndBoundVerifier(long firstRound) {
        this.firstRound = firstRound;
    }

    public static Verifier create() {
        return new BranchAndBoundVerifier(-1);
    }

    /** A verifier whose first round lasts {@code nanos} (tests: the rounds and the resumption are exercised). */
    static Verifier withFirstRound(long nanos) {
        return new BranchAndBoundVerifier(nanos);
    }

    @Override
    public Verdict verify(DenseNetwork network, Property property, VerifyOptions options) {
        long start = System.nanoTime();
        Deadline deadline = Deadline.after(options.timeoutSeconds());
        BoundNetwork bn = BoundNetwork.of(network);
        Falsifier falsifier = new Falsifier(network, bn, property, options.seed()).until(deadline.nanos());
        // 1. falsification on every box: the full search on a single box; a light one on each box of a region of
        // many (a repair's partition, nearly all of whose boxes the bounds refute at once), whose open boxes get
        // the strong attack after the first round
        List<Box> boxes = property.region().boxes();
        Falsifier first = boxes.size() > 1 ? new Falsifier(network, bn, property, options.seed(), LIGHT_SAMPLES,
                LIGHT_RESTARTS, LIGHT_STEPS).until(deadline.nanos()) : falsifier;
        for (Box box : boxes) {
            double[] w = first.search(box, deadline.nanos());
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
     * Branch and bound over every box of the region in three rounds, each resuming from the subdomains the last one
     * left open: a short round, then (for the instances it leaves open) a quarter of the strong attack, a second
     * round up to a tenth of the time limit, the rest of the attack, and the rest of the time.
     */
    private Verdict branchAndBound(DenseNetwork network, BoundNetwork bn, Falsifier falsifier, Property property,
                                          VerifyOptions options, Deadline deadline, ForkJoinPool pool, long start) {
        List<Box> boxes = property.region().boxes();
        SubdomainSearch[] searches = new SubdomainSearch[boxes.size()];
        boolean[] done = new boolean[boxes.size()];
        boolean unknown = false;
        long first = firstRound >= 0 ? firstRound : firstRoundNanos(options);
        long second = firstRound >= 0 ? firstRound
                : Math.max(first, (long) (SECOND_ROUND_SHARE * options.timeoutSeconds() * 1e9));
        long bnbStart = System.nanoTime();
        for (int round = 0; round < 3; round++) {
            long roundEnd = round == 0 ? System.nanoTime() + first : round == 1 ? bnbStart + second : Long.MAX_VALUE;
            boolean open = false;
            for (int bi = 0; bi < boxes.size(); bi++) {
                if (done[bi]) {
                    continue;
                }
                Box box = boxes.get(bi);
                SubdomainSearch s = searches[bi];
                if (s == null) {
                    s = new SubdomainSearch(bn, falsifier, property, box, deadline, roundEnd);
                    searches[bi] = s;
                    pool.invoke(s.root(box));
                } else {
                    pool.invoke(s.resume(roundEnd));
                }
                if (SubdomainSearch.DEBUG) {
                    System.err.printf("[bab] %s#%d round %d: %d subdomains, %d leaves refuted (volume %.6f), %d left,"
                                    + " %d lookahead passes, in %.3f s%n", property.name(), bi, round, s.nodes.get(),
                            s.leaves.get(), s.refutedVolume.sum(), s.pending.size(), s.halfPasses.get(),
                            seconds(start));
                }
                if (s.witness.get() != null) {
                    return falsifier.witness(s.witness.get(), seconds(start));
                }
                if (s.timedOut) {
                    return new Verdict.Timeout(seconds(start));
                }
                if (!s.pending.isEmpty()) {
                    open = true;
                    continue;
                }
                done[bi] = true;
                unknown |= s.gaveUp;
            }
            if (!open) {
                return unknown ? new Verdict.Unknown("subdomains too small to split further", seconds(start))
                        : new Verdict.Unsat(seconds(start));
            }
            if (round < 2 && !deadline.passed()) {
                double[] w = strongAttack(network, bn, property, options, deadline, pool, boxes, done, round);
                if (w != null) {
                    return falsifier.witness(w, seconds(start));
                }
            }
        }
        return new Verdict.Timeout(seconds(start));
    }

    /**
     * The length of the first round: {@link #SHORT_ROUND_NANOS}, or {@link #FIRST_ROUND_SHARE} of the time limit
     * when longer. Instances it leaves open are hard for their budget; only they get the strong attack.
     */
    private static long firstRoundNanos(VerifyOptions options) {
        return Math.max(SHORT_ROUND_NANOS, (long) (FIRST_ROUND_SHARE * options.timeoutSeconds() * 1e9));
    }

    /**
     * A large attack on the boxes still open, in {@link #ATTACK_PARTS} independent parts (their own seeds, a share
     * of the samples and restarts each) run by the pool: the parts and so the witnesses tried do not depend on the
     * number of threads. Stage 0 (after the first round) makes a quarter of the attack, stage 1 (after the second
     * round, for the instances still open) the other three quarters with other seeds: most instances that outlast
     * the first round are proved soon after it, and paid for the whole attack before. The witness of the first part
     * (in part order) that found one, or null.
     */
    private static double[] strongAttack(DenseNetwork network, BoundNetwork bn, Property property,
                                         VerifyOptions options, Deadline deadline, ForkJoinPool pool, List<Box> boxes,
                                         boolean[] done, int stage) {
        long a0 = System.nanoTime();
        int samples = stage == 0 ? ATTACK_SAMPLES / 4 : ATTACK_SAMPLES - ATTACK_SAMPLES / 4;
        int descents = stage == 0 ? ATTACK_DESCENTS / 4 : ATTACK_DESCENTS - ATTACK_DESCENTS / 4;
        List<java.util.concurrent.Callable<double[]>> parts = new java.util.ArrayList<>();
        for (int k = 0; k < ATTACK_PARTS; k++) {
            Falsifier strong = new Falsifier(network, bn, property, options.seed() + 1 + stage * ATTACK_PARTS + k,
                    samples / ATTACK_PARTS, descents / ATTACK_PARTS, 80).until(deadline.nanos());
            parts.add(() -> {
                for (int bi = 0; bi < boxes.size(); bi++) {
                    double[] w = done[bi] ? null : strong.search(boxes.get(bi), deadline.nanos());
                    if (w != null) {
                        return w;
                    }
                }
                return null;
            });
        }
        double[] found = null;
        for (java.util.concurrent.Future<double[]> f : pool.invokeAll(parts)) {
            try {
                if (found == null) {
                    found = f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        if (SubdomainSearch.DEBUG) {
            System.err.printf("[bab] strong attack, stage %d: %.3f s%n", stage, (System.nanoTime() - a0) / 1e9);
        }
        return found;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
