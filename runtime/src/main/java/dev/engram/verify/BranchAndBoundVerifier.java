package dev.engram.verify;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.bounds.BoundNetwork;
import dev.engram.verify.bounds.Bounds;
import dev.engram.verify.bounds.LinearBounds;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The complete verifier: falsification first ({@link Falsifier}: sampling and projected-gradient attack), then
 * branch and bound over the input box. Each subdomain is bounded with symbolic forward bounds and one backward
 * (CROWN) pass per unsafe constraint; a conjunction of the unsafe set is refuted on a subdomain when one of its
 * constraints is violated everywhere there by more than the floating-point margin. Subdomains that are not
 * refuted yield candidate points (their centre and the bound minimisers), each executed concretely, and are then
 * split along the input dimension with the largest influence on the bound (|coefficient| x width).
 *
 * <p>Soundness: {@code unsat} only when every subdomain is refuted with margin; {@code sat} only with a witness
 * re-executed in float32 by {@link DenseNetwork#evaluate} that lies in the region and in the unsafe set.
 * Subdomains are explored by a fork/join pool of {@link VerifyOptions#threads()} workers; the verdict does not
 * depend on the schedule (only which witness is reported may).
 */
public final class BranchAndBoundVerifier implements Verifier {
    /** Deepest split before a subdomain is given up as unknown. */
    static final int MAX_DEPTH = 120;

    private BranchAndBoundVerifier() {
    }

    public static Verifier create() {
        return new BranchAndBoundVerifier();
    }

    /** Statistics of the last search, for benchmarks. */
    public record Stats(long subdomains, long falsifierSamples) {
    }

    @Override
    public Verdict verify(DenseNetwork network, Property property, VerifyOptions options) {
        long start = System.nanoTime();
        long deadline = start + (long) (options.timeoutSeconds() * 1e9);
        BoundNetwork bn = BoundNetwork.of(network);
        Falsifier falsifier = new Falsifier(network, bn, property, options.seed());
        // 1. falsification on every box
        for (Box box : property.region().boxes()) {
            double[] w = falsifier.search(box, deadline);
            if (w != null) {
                return falsifier.witness(w, seconds(start));
            }
        }
        if (bn.unsupported() != null) {
            return new Verdict.Unknown(bn.unsupported(), seconds(start));
        }
        // 2. branch and bound
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, options.threads()));
        try {
            boolean unknown = false;
            for (Box box : property.region().boxes()) {
                Search s = new Search(bn, falsifier, property, deadline);
                pool.invoke(s.task(box.lo().clone(), box.hi().clone(), 0, (1L << s.conj.size()) - 1));
                if (Boolean.getBoolean("engram.verify.debug")) {
                    System.err.printf("[bab] %s: %d subdomains in %.3f s%n", property.name(), s.nodes.get(),
                            seconds(start));
                }
                if (s.witness.get() != null) {
                    return falsifier.witness(s.witness.get(), seconds(start));
                }
                if (s.timedOut) {
                    return new Verdict.Timeout(seconds(start));
                }
                unknown |= s.gaveUp;
            }
            return unknown ? new Verdict.Unknown("subdomains too small to split further", seconds(start))
                    : new Verdict.Unsat(seconds(start));
        } finally {
            pool.shutdownNow();
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** The state of one branch-and-bound search over one box. */
    private static final class Search {
        final BoundNetwork net;
        final Falsifier falsifier;
        final List<List<LinearConstraint>> conj;
        final List<LinearConstraint> inputCons;
        final long deadline;
        final AtomicReference<double[]> witness = new AtomicReference<>();
        final AtomicLong nodes = new AtomicLong();
        volatile boolean timedOut;
        volatile boolean gaveUp;

        Search(BoundNetwork net, Falsifier falsifier, Property p, long deadline) {
            this.net = net;
            this.falsifier = falsifier;
            this.conj = p.unsafe();
            this.inputCons = p.region().constraints();
            this.deadline = deadline;
            if (conj.size() > 62) {
                throw new IllegalArgumentException("at most 62 unsafe conjunctions are supported");
            }
        }

        boolean stop() {
            return witness.get() != null || timedOut;
        }

        RecursiveAction task(double[] lo, double[] hi, int depth, long open) {
            return new RecursiveAction() {
                @Override
                protected void compute() {
                    explore(lo, hi, depth, open);
                }
            };
        }

        void explore(double[] lo, double[] hi, int depth, long open) {
            while (true) {
                if (stop()) {
                    return;
                }
                if ((nodes.incrementAndGet() & 63) == 0 && System.nanoTime() > deadline) {
                    timedOut = true;
                    return;
                }
                if (inputInfeasible(lo, hi)) {
                    return;
                }
                LinearBounds b = LinearBounds.forward(net, lo, hi, true);
                int d = lo.length;
                double[] bestCoef = null;
                double[] bestArg = null;
                double bestLb = Double.NEGATIVE_INFINITY;
                double[] coef = new double[d];
                double[] arg = new double[d];
                double[] olo = b.lower(net.layers() - 1);
                double[] ohi = b.upper(net.layers() - 1);
                long still = 0;
                for (int k = 0; k < conj.size(); k++) {
                    if ((open & (1L << k)) == 0) {
                        continue;
                    }
                    boolean refuted = false;
                    double[] kCoef = null;
                    double[] kArg = null;
                    double kBest = Double.NEGATIVE_INFINITY;
                    for (LinearConstraint c : conj.get(k)) {
                        // the unsafe constraint c·y <= bound is impossible where min c·y > bound + margin
                        double lb = b.lowerBound(c.coefficients(), coef, arg) - c.bound();
                        double scale = Math.abs(c.bound());
                        for (int j = 0; j < olo.length; j++) {
                            scale += Math.abs(c.coefficients()[j]) * Math.max(Math.abs(olo[j]), Math.abs(ohi[j]));
                        }
                        if (lb > Bounds.margin(scale)) {
                            refuted = true;
                            break;
                        }
                        if (falsifier.check(arg)) {
                            witness.compareAndSet(null, arg.clone());
                            return;
                        }
                        if (lb > kBest) {
                            kBest = lb;
                            kCoef = coef.clone();
                            kArg = arg.clone();
                        }
                    }
                    if (!refuted) {
                        still |= 1L << k;
                        if (bestCoef == null || kBest < bestLb) {
                            bestLb = kBest;
                            bestCoef = kCoef;
                            bestArg = kArg;
                        }
                    }
                }
                if (still == 0) {
                    return;
                }
                double[] mid = new double[d];
                for (int i = 0; i < d; i++) {
                    mid[i] = 0.5 * (lo[i] + hi[i]);
                }
                if (falsifier.check(mid)) {
                    witness.compareAndSet(null, mid);
                    return;
                }
                if (depth >= MAX_DEPTH) {
                    gaveUp = true;
                    return;
                }
                int split = -1;
                double score = -1;
                for (int i = 0; i < d; i++) {
                    double width = hi[i] - lo[i];
                    if (!(mid[i] > lo[i] && mid[i] < hi[i])) {
                        continue; // cannot split further in this dimension
                    }
                    double s = Math.abs(bestCoef[i]) * width + 1e-12 * width;
                    if (s > score) {
                        score = s;
                        split = i;
                    }
                }
                if (split < 0) {
                    gaveUp = true;
                    return;
                }
                double[] hi2 = hi.clone();
                hi2[split] = mid[split];
                double[] lo2 = lo.clone();
                lo2[split] = mid[split];
                // the half holding the bound's minimiser is explored first in this thread (it is where a
                // counterexample is most likely); the other half is forked for an idle worker
                boolean lowFirst = bestArg[split] <= mid[split];
                RecursiveAction other = lowFirst ? task(lo2, hi, depth + 1, still) : task(lo, hi2, depth + 1, still);
                other.fork();
                if (lowFirst) {
                    explore(lo, hi2, depth + 1, still);
                } else {
                    explore(lo2, hi, depth + 1, still);
                }
                other.join();
                return;
            }
        }

        /** True when the input constraints cannot hold anywhere in the box. */
        boolean inputInfeasible(double[] lo, double[] hi) {
            for (LinearConstraint c : inputCons) {
                double min = 0;
                for (int i = 0; i < lo.length; i++) {
                    double a = c.coefficients()[i];
                    min += a > 0 ? a * lo[i] : a * hi[i];
                }
                if (min > c.bound() + Bounds.margin(Math.abs(c.bound()))) {
                    return true;
                }
            }
            return false;
        }
    }
}
