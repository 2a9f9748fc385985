package dev.engram.lower;

import dev.engram.diag.Diagnostic;
import dev.engram.ir.Obligation;
import dev.engram.lower.repair.LinearProgram;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.validate.ObligationProver;
import dev.engram.verify.Verdict;
import dev.engram.verify.monotone.MonotonicityVerifier;
import dev.engram.verify.monotone.Monotonicity;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The lowering of {@code monotone}: first checked ({@link MonotonicityVerifier}); where it does not hold, the last
 * layer's weights are changed, as little as possible, so that the derivative bounds prove it.
 *
 * <p>The closed form: with {@code h} the last hidden layer and {@code v = a·W_L} (the objective's row), the
 * derivative of {@code a·y} is {@code Σ_j v_j ∂h_j/∂x}. The bounds {@code [dl_jk, du_jk]} of {@code ∂h_j/∂x} on
 * each subdomain {@code k} of the verifier's partition of the region ({@link MonotonicityVerifier#partition}) do not
 * depend on the last layer, so a new row {@code v' = s − t} ({@code s, t >= 0}) with
 * {@code Σ_j s_j dl_jk − t_j du_jk >= 0} on every subdomain (negative terms weighted by {@code 1 + margin}) makes the
 * derivative non-negative on the whole region. A unit the new row does not read gets weight exactly 0 in every output
 * the objective reads. A linear program (GLOP) finds the {@code v'} closest to {@code v} in the L1 norm weighted by the mean
 * {@code |h_j|} on the sampling domain (the change of the output it causes). The change is spread over the output rows
 * along {@code a} ({@code ΔW_k = a_k Δv / |a|²}); the biases take {@code −a_k Δv·mean(h) / |a|²}, so the objective
 * keeps its mean. The verifier's split rule depends only on the first layer, so re-verification meets the same
 * subdomains (or proves coarser ones), and the result is proved again on the file as read back.
 *
 * <p>The other closed form, {@link PathSigns}, makes every path from the input to the objective carry one sign (a
 * frozen copy of the hidden layers takes the paths of the wrong sign). It is used where no row is proved (within
 * the margins {@link #MARGINS}), and where it changes the objective less on samples of the domain (mean
 * {@code |Δ a·y|}): a row that only zeroes the units whose derivative may take both signs can cost more than it.
 */
public final class MonotoneLowering implements Lowering {
    /** Subdomains of the partition the program constrains. */
    static final int LEAVES = 256;
    /**
     * The program's margins, relative to each subdomain's scale (rows are normalised, so they stay above the solver's
     * feasibility tolerance): tried in turn until the verifier proves the result.
     */
    static final double[] MARGINS = {1e-4, 1e-3, 1e-2};
    /** Samples for the mean hidden activations (the costs). */
    static final int SAMPLES = 2000;

    @Override
    public String name() {
        return "monotone";
    }

    @Override
    public boolean accepts(Obligation ob) {
        return ob instanceof Obligation.Monotone;
    }

    /**
     * What the lowering did: whether the rule held already; else which closed form ({@code "last layer"}, the
     * program over {@code subdomains} subdomains with the row's L1 change {@code rowChange}, or
     * {@code "sign-consistent paths"}).
     */
    public record Result(boolean held, String form, int subdomains, double rowChange) implements Lowering.Detail {
    }

    @Override
    public Lowering.Result lower(DenseNetwork net, List<Obligation> accepted, Context ctx) {
        DenseNetwork cur = net;
        List<Step> steps = new ArrayList<>();
        List<Diagnostic> failures = new ArrayList<>();
        for (Obligation ob : accepted) {
            Obligation.Monotone mo = (Obligation.Monotone) ob;
            long t = System.nanoTime();
            String why = MonotonicityVerifier.unsupported(cur);
            if (why != null) {
                failures.add(Lowering.notApplicable(ob, why));
                continue;
            }
            Verdict before = MonotonicityVerifier.verify(cur, mo.property(), ctx.verifyTimeoutSeconds()).verdict();
            if (before instanceof Verdict.Unsat) {
                steps.add(new Step(ob, cur, cur, (System.nanoTime() - t) / 1e9, this, new Result(true, "", 0, 0)));
                continue;
            }
            Repaired r = repair(cur, mo.property(), ctx);
            steps.add(new Step(ob, cur, r.network(), (System.nanoTime() - t) / 1e9, this, r.detail()));
            cur = r.network();
        }
        return failures.isEmpty() ? new Lowering.Result(cur, steps, List.of())
                : Lowering.Result.failed(net, failures);
    }

    /** The proof on the written file, said together with what the lowering did. */
    @Override
    public ObligationProver.Proof establish(DenseNetwork written, Step step, Context ctx) {
        ObligationProver.Proof p = Lowering.super.establish(written, step, ctx);
        String how = "";
        if (step.detail() instanceof Result r) {
            how = r.held() ? "held already, unchanged; "
                    : r.form().equals("last layer") ? String.format(java.util.Locale.ROOT, "enforced on the last layer "
                    + "(LP over %d subdomains, row change %.3g in L1); ", r.subdomains(), r.rowChange())
                    : "enforced by sign-consistent paths (a frozen copy of the hidden layers); ";
        }
        return new ObligationProver.Proof(p.verdict(), how + p.method());
    }

    /** A repaired network and its record. */
    record Repaired(DenseNetwork network, Result detail) {
    }

    /**
     * The closed form that changes the objective least on samples of the domain, among the last-layer row (when one is
     * proved) and the sign-consistent paths (always proved).
     */
    static Repaired repair(DenseNetwork net, Monotonicity m, Context ctx) {
        Repaired paths = new Repaired(PathSigns.apply(net, m.slot(), m.objective(), ctx, SAMPLES),
                new Result(false, "sign-consistent paths", 0, 0));
        Repaired row = lastLayer(net, m, ctx);
        return row != null && change(net, row.network(), m.objective(), ctx)
                <= change(net, paths.network(), m.objective(), ctx) ? row : paths;
    }

    /**
     * The last layer changed so that the derivative bounds prove {@code m} on every subdomain of the partition, or
     * null when no row within the margins is proved (or the region cannot be partitioned in time).
     */
    static Repaired lastLayer(DenseNetwork net, Monotonicity m, Context ctx) {
        MonotonicityVerifier.Result part = MonotonicityVerifier.partition(net, m, LEAVES, ctx.verifyTimeoutSeconds());
        if (part.verdict() instanceof Verdict.Timeout || part.leaves().isEmpty()) {
            return null;
        }
        DenseLayer out = net.layers().get(net.layers().size() - 1);
        int n = out.inputSize();
        double[] a = m.objective();
        double[] v = new double[n];
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < a.length; k++) {
                v[j] += a[k] * out.weight()[k][j];
            }
        }
        double[][] mean = meanHidden(net, ctx);
        for (double margin : MARGINS) {
            double[] dv = solve(v, mean[1], part.leaves(), margin);
            if (dv == null) {
                return null;
            }
            DenseNetwork candidate = apply(net, a, dv, mean[0]);
            if (MonotonicityVerifier.verify(candidate, m, ctx.verifyTimeoutSeconds()).verdict()
                    instanceof Verdict.Unsat) {
                return new Repaired(candidate, new Result(false, "last layer", part.leaves().size(), l1(dv)));
            }
        }
        return null;
    }

    /** The mean {@code |a·(y' − y)|} on samples of the domain: how much a candidate changes the objective. */
    private static double change(DenseNetwork before, DenseNetwork after, double[] a, Context ctx) {
        Random r = new Random(ctx.seed() + 1);
        double sum = 0;
        for (int s = 0; s < SAMPLES; s++) {
            float[] x = ctx.domain().sample(r);
            float[] y0 = before.evaluate(x);
            float[] y1 = after.evaluate(x);
            double d = 0;
            for (int k = 0; k < a.length; k++) {
                d += a[k] * ((double) y1[k] - y0[k]);
            }
            sum += Math.abs(d);
        }
        return sum / SAMPLES;
    }

    /** The row change {@code Δv} of least weighted L1 norm, or null when the program has no solution. */
    private static double[] solve(double[] v, double[] mean, List<MonotonicityVerifier.Leaf> leaves, double margin) {
        int n = v.length;
        double avg = 0;
        for (double h : mean) {
            avg += h / n;
        }
        try (LinearProgram lp = LinearProgram.create()) {
            int[] up = new int[n];
            int[] down = new int[n];
            int[] pos = new int[n];
            int[] neg = new int[n];
            for (int j = 0; j < n; j++) {
                double cost = mean[j] + 1e-3 * avg + 1e-9;
                up[j] = lp.variable(0, Double.POSITIVE_INFINITY, cost);
                down[j] = lp.variable(0, Double.POSITIVE_INFINITY, cost);
                pos[j] = lp.variable(0, Double.POSITIVE_INFINITY, 1e-9);
                neg[j] = lp.variable(0, Double.POSITIVE_INFINITY, 1e-9);
                lp.row(v[j], v[j], new int[] {pos[j], neg[j], up[j], down[j]}, new double[] {1, -1, -1, 1});
            }
            for (MonotonicityVerifier.Leaf leaf : leaves) {
                leafRow(lp, pos, neg, leaf.bounds().hiddenLo(), leaf.bounds().hiddenHi(), margin);
            }
            LinearProgram.Solution s = lp.solve(30);
            if (!s.found()) {
                return null;
            }
            double top = 0;
            for (double x : v) {
                top = Math.max(top, Math.abs(x));
            }
            double[] dv = new double[n];
            for (int j = 0; j < n; j++) {
                double row = s.values()[pos[j]] - s.values()[neg[j]];
                dv[j] = Math.abs(row) <= 1e-9 * top ? -v[j] : row - v[j]; // solver noise around 0 is 0
            }
            return dv;
        }
    }

    /**
     * The row of one subdomain, normalised by its largest coefficient: {@code Σ_j s_j dl_j − t_j du_j >= 0} with every
     * negative coefficient scaled by {@code 1 + margin}, so where the lower bound has terms of both signs the positive
     * ones exceed the negative ones by that share (room for the rounding of the new weights), and where it has none
     * of the negative sign it is exactly a sum of non-negative terms (which the verifier keeps exactly).
     */
    private static void leafRow(LinearProgram lp, int[] pos, int[] neg, double[] dl, double[] du, double margin) {
        int n = pos.length;
        double top = 0;
        for (int j = 0; j < n; j++) {
            top = Math.max(top, Math.max(Math.abs(dl[j]), Math.abs(du[j])));
        }
        if (top == 0) {
            return; // the derivative is exactly 0 there, whatever the row
        }
        int[] vars = new int[2 * n];
        double[] coef = new double[2 * n];
        for (int j = 0; j < n; j++) {
            vars[2 * j] = pos[j];
            coef[2 * j] = dl[j] / top * (dl[j] < 0 ? 1 + margin : 1);
            vars[2 * j + 1] = neg[j];
            coef[2 * j + 1] = -du[j] / top * (du[j] > 0 ? 1 + margin : 1);
        }
        lp.row(0, Double.POSITIVE_INFINITY, vars, coef);
    }

    /** The network with {@code Δv} spread over the output rows along {@code a}, and the mean kept. */
    private static DenseNetwork apply(DenseNetwork net, double[] a, double[] dv, double[] mean) {
        int last = net.layers().size() - 1;
        DenseLayer out = net.layers().get(last);
        double norm = 0;
        for (double c : a) {
            norm += c * c;
        }
        double shift = 0;
        for (int j = 0; j < dv.length; j++) {
            shift += dv[j] * mean[j];
        }
        boolean[] zero = new boolean[dv.length];
        for (int j = 0; j < dv.length; j++) {
            double v = 0;
            for (int k = 0; k < a.length; k++) {
                v += a[k] * out.weight()[k][j];
            }
            zero[j] = v != 0 && v + dv[j] == 0;
        }
        float[][] w = new float[out.outputSize()][];
        float[] b = out.bias().clone();
        for (int k = 0; k < w.length; k++) {
            w[k] = out.weight()[k].clone();
            if (a[k] == 0) {
                continue;
            }
            double f = a[k] / norm;
            for (int j = 0; j < dv.length; j++) {
                if (zero[j]) {
                    w[k][j] = 0f; // the objective no longer reads unit j, exactly
                } else if (dv[j] != 0) {
                    w[k][j] = (float) (w[k][j] + f * dv[j]);
                }
            }
            b[k] = (float) (b[k] - f * shift);
        }
        List<DenseLayer> layers = new ArrayList<>(net.layers());
        layers.set(last, new DenseLayer(out.name(), w, b, out.activation(), out.alpha(), out.weightRef(),
                out.biasRef()));
        return new DenseNetwork(layers);
    }

    /**
     * The mean of each last-hidden activation and of its magnitude on samples of the domain (the inputs when there
     * is no hidden layer).
     */
    private static double[][] meanHidden(DenseNetwork net, Context ctx) {
        int last = net.layers().size() - 1;
        DenseNetwork body = last == 0 ? null : new DenseNetwork(net.layers().subList(0, last));
        int n = net.layers().get(last).inputSize();
        double[][] mean = new double[2][n];
        Random r = new Random(ctx.seed());
        for (int s = 0; s < SAMPLES; s++) {
            float[] x = ctx.domain().sample(r);
            float[] h = body == null ? x : body.evaluate(x);
            for (int j = 0; j < n; j++) {
                mean[0][j] += h[j] / SAMPLES;
                mean[1][j] += Math.abs(h[j]) / SAMPLES;
            }
        }
        return mean;
    }

    private static double l1(double[] v) {
        double s = 0;
        for (double x : v) {
            s += Math.abs(x);
        }
        return s;
    }
}
