package dev.engram.lower.repair;

import dev.engram.lower.repair.FidelitySamples.Sample;
import dev.engram.lower.repair.Subdomain.Refutation;
import dev.engram.verify.LinearConstraint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The repair's linear program over the output layer's change. Variables: {@code ΔW = P - N}, {@code Δb = p - q}
 * (all {@code >= 0}) and one slack per fidelity sample. Because {@code a·y' = a·y + a·(ΔW h + Δb)}, the row
 * <pre>  LB + Σ_j Σ_i (a_j P_ji [a_j>0 ? l_i : u_i] - a_j N_ji [a_j>0 ? u_i : l_i]) + a·Δb
 *      >= bound + required</pre>
 * soundly makes {@code a·y <= bound} impossible on a subdomain where the original's lower bound is {@code LB}
 * and {@code h ∈ [l, u]}. A sample's row keeps its decision ahead of one competitor (penalised slack); the nearest
 * competitor's row is there from the start for fragile decisions, the others are added when a solution violates
 * them. Objective: L1 of the change (weights weighted by the mean activation they multiply) + fidelity weight ×
 * slack.
 *
 * <p>A property to keep ({@link Goals#isKept}) gets the same row where the original's bounds refute it with room
 * on the subdomain (the change may then use the room); elsewhere it gets, for every constraint {@code a·y <= b}
 * of the conjunction, the row {@code min over the subdomain of a·(ΔW h + Δb) >= 0}: the change never moves the
 * outputs toward the constraint, so every input where the original violated it still violates it, and a property
 * that held still holds. Both hold for no change at all, so keeping properties never makes the program
 * infeasible by itself; a kept property made movable ({@link Goals#movable}) gets the rule's row everywhere. In
 * {@link #diagnosis} form every kept row has its property's elastic variable and the
 * objective is their sum: the properties whose elastic stays positive are those the rules conflict with.
 */
final class RepairProgram implements AutoCloseable {
    /**
     * Samples whose decision leads by less than this share of the output scale get their LP row up front (the
     * others, nine in ten on ACAS Xu, only when a solution would flip them).
     */
    static final double EAGER = 0.02;
    /** Rows within this share of their bound count as binding when choosing subdomains to refine. */
    static final double NEAR = 0.1;
    /** Rounds of adding violated sample rows per solve. */
    static final int SAMPLE_ROUNDS = 10;

    /**
     * A subdomain's rows: their indices and, per row, its coefficients with the lower bound appended, and which
     * of them keep a constraint from moving (lower bound 0).
     */
    private record Rows(Subdomain sub, int[] rows, double[][] data, boolean[] keeps) {
    }

    private final LinearProgram lp = LinearProgram.create();
    private final FidelitySamples fs;
    private final List<Sample> samples;
    private final RepairOptions opt;
    private final Goals goals;
    private final boolean diagnosis;
    /** Per goal, its elastic variable in diagnosis form (-1: none yet). */
    private final int[] elastic;
    private final int m;
    private final int n;
    private final int[] slack;
    private final boolean[][] have;
    private final List<Rows> live = new ArrayList<>();
    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();
    private int rowCount;
    private int solves;
    private long solveNanos;

    RepairProgram(RepairTarget target, FidelitySamples fs, Goals goals, RepairOptions opt) {
        this(target, fs, goals, opt, false);
    }

    /**
     * The program that finds which kept properties conflict with the rules: the same rows, every kept row relaxed by
     * its property's elastic variable, and the sum of the elastic variables as the only objective.
     */
    static RepairProgram diagnosis(RepairTarget target, FidelitySamples fs, Goals goals, RepairOptions opt) {
        return new RepairProgram(target, fs, goals, opt, true);
    }

    private RepairProgram(RepairTarget target, FidelitySamples fs, Goals goals, RepairOptions opt,
                          boolean diagnosis) {
        this.fs = fs;
        this.samples = diagnosis ? List.of() : fs.samples();
        this.opt = opt;
        this.goals = goals;
        this.diagnosis = diagnosis;
        this.elastic = new int[goals.size()];
        Arrays.fill(elastic, -1);
        this.m = target.outputs();
        this.n = target.hiddenUnits();
        double meanH = 0;
        for (double v : fs.hiddenScale()) {
            meanH += v;
        }
        meanH = Math.max(1e-9, meanH / Math.max(1, n));
        for (int k = 0; k < 2; k++) {
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < n; i++) {
                    double cost = fs.drawn() > 0 ? 0.5 + 0.5 * fs.hiddenScale()[i] / meanH : 1;
                    lp.variable(0, Double.POSITIVE_INFINITY, diagnosis ? 0 : cost);
                }
            }
        }
        for (int k = 0; k < 2 * m; k++) {
            lp.variable(0, Double.POSITIVE_INFINITY, diagnosis ? 0 : 1);
        }
        slack = new int[samples.size()];
        java.util.Arrays.fill(slack, -1); // a sample's slack variable comes with its first row
        have = new boolean[samples.size()][m];
        // fragile decisions get their row at once; the others when a solution violates them
        for (int s = 0; s < samples.size(); s++) {
            Sample smp = samples.get(s);
            int near = fs.nearest(smp);
            if (near >= 0 && fs.gap(smp.y(), near, smp.decision()) < EAGER * fs.outScale()) {
                addSampleRow(s, near);
            }
        }
    }

    private int p(int j, int i) {
        return j * n + i;
    }

    private int q(int j, int i) {
        return m * n + j * n + i;
    }

    private int bp(int j) {
        return 2 * m * n + j;
    }

    private int bq(int j) {
        return 2 * m * n + m + j;
    }

    /** The subdomains whose rows are in force, in the order they were added. */
    List<Subdomain> subdomains() {
        return live.stream().map(Rows::sub).toList();
    }

    /**
     * Adds the rows refuting {@code s}'s unsafe conjunctions with the given relative clearance; for a kept property
     * without room on {@code s}, the rows keeping each of a conjunction's constraints from moving.
     */
    void add(Subdomain s, double clearance) {
        boolean kept = goals.isKept(s.goal());
        boolean fixed = goals.isFixed(s.goal());
        List<double[]> data = new ArrayList<>();
        List<Boolean> keeps = new ArrayList<>();
        for (int k = 0; k < s.refutations().length; k++) {
            Refutation ch = s.refutations()[k];
            double need = ch.required(clearance, fs.outScale()) - ch.lowerGap();
            if (!fixed || need < 0) {
                data.add(row(s, ch.constraint().coefficients(), need));
                keeps.add(false);
            } else {
                for (LinearConstraint c : goals.unsafe(s.goal()).get(k)) {
                    data.add(row(s, c.coefficients(), 0));
                    keeps.add(true);
                }
            }
        }
        int nv = 2 * m * n + 2 * m;
        int[] rows = new int[data.size()];
        boolean[] keep = new boolean[data.size()];
        for (int r = 0; r < rows.length; r++) {
            double[] c = data.get(r);
            int[] idx = new int[nv + (kept && diagnosis ? 1 : 0)];
            double[] coef = Arrays.copyOf(c, idx.length);
            for (int k = 0; k < nv; k++) {
                idx[k] = k;
            }
            if (idx.length > nv) {
                idx[nv] = elastic(s.goal());
                coef[nv] = 1;
            }
            rows[r] = lp.row(c[nv], Double.POSITIVE_INFINITY, idx, coef);
            keep[r] = keeps.get(r);
            rowCount++;
        }
        live.add(new Rows(s, rows, data.toArray(double[][]::new), keep));
    }

    /**
     * The row {@code min over s of a·(ΔW h + Δb) >= lo} over the change's variables, with {@code lo} appended:
     * {@code Σ_j Σ_i (a_j P_ji [a_j>0 ? l_i : u_i] - a_j N_ji [a_j>0 ? u_i : l_i]) + a·Δb}.
     */
    private double[] row(Subdomain s, double[] a, double lo) {
        int nv = 2 * m * n + 2 * m;
        double[] c = new double[nv + 1];
        for (int j = 0; j < m; j++) {
            double aj = a[j];
            if (aj == 0) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                c[p(j, i)] = aj > 0 ? aj * s.hiddenLo()[i] : aj * s.hiddenHi()[i];
                c[q(j, i)] = aj > 0 ? -aj * s.hiddenHi()[i] : -aj * s.hiddenLo()[i];
            }
            c[bp(j)] = aj;
            c[bq(j)] = -aj;
        }
        c[nv] = lo;
        return c;
    }

    /**
     * Adds the row {@code min over s of a·(ΔW h + Δb) + e >= lo} with a new elastic variable {@code e >= 0} of cost 1;
     * returns {@code e}'s index (for {@link RefutationChoice}'s program).
     */
    int elasticRow(Subdomain s, double[] a, double lo) {
        int e = lp.variable(0, Double.POSITIVE_INFINITY, 1);
        double[] c = row(s, a, lo);
        int nv = c.length - 1;
        int[] idx = new int[nv + 1];
        double[] coef = Arrays.copyOf(c, nv + 1);
        for (int k = 0; k < nv; k++) {
            idx[k] = k;
        }
        idx[nv] = e;
        coef[nv] = 1;
        lp.row(lo, Double.POSITIVE_INFINITY, idx, coef);
        rowCount++;
        return e;
    }

    private int elastic(int g) {
        if (elastic[g] < 0) {
            elastic[g] = lp.variable(0, Double.POSITIVE_INFINITY, 1);
        }
        return elastic[g];
    }

    /**
     * Per goal, how far the solution {@code v} of the {@link #diagnosis} program relaxes its kept rows (0 for
     * rules and for properties it keeps).
     */
    double[] elasticUsed(double[] v) {
        double[] e = new double[goals.size()];
        for (int g = 0; g < e.length; g++) {
            e[g] = elastic[g] < 0 ? 0 : v[elastic[g]];
        }
        return e;
    }

    /** Replaces {@code s}'s rows by its parts' rows (the parts go last). */
    void replace(Subdomain s, List<Subdomain> parts, double clearance) {
        int r = subdomains().indexOf(s);
        for (int row : live.get(r).rows()) {
            lp.relax(row);
        }
        live.remove(r);
        for (Subdomain kid : parts) {
            add(kid, clearance);
        }
    }

    /**
     * Solves, then adds the sample rows the solution violates and solves again, up to {@link #SAMPLE_ROUNDS}
     * times; the last solution, which is not found when the LP is infeasible.
     */
    LinearProgram.Solution solve() {
        LinearProgram.Solution x = null;
        for (int gen = 0; gen < SAMPLE_ROUNDS; gen++) {
            long t = CPU.getCurrentThreadCpuTime();
            x = lp.solve(opt.within(opt.lpTimeout()));
            solves++;
            solveNanos += CPU.getCurrentThreadCpuTime() - t;
            if (!x.found() || addViolatedSampleRows(x.values()) == 0) {
                break;
            }
        }
        return x;
    }

    private int addViolatedSampleRows(double[] v) {
        int added = 0;
        for (int s = 0; s < samples.size(); s++) {
            Sample smp = samples.get(s);
            double[] dy = deltaY(v, smp.h());
            for (int j = 0; j < m; j++) {
                if (j == smp.decision() || have[s][j]) {
                    continue;
                }
                double gap = fs.gap(smp.y(), j, smp.decision());
                double g = gap + fs.sign() * (dy[j] - dy[smp.decision()]);
                if (g + slackValue(v, s) < fs.keep(gap) - 1e-9) {
                    addSampleRow(s, j);
                    added++;
                }
            }
        }
        return added;
    }

    /** The change of the output layer in solution {@code v}. */
    ParameterDelta delta(double[] v) {
        double[][] dw = new double[m][n];
        double[] db = new double[m];
        for (int j = 0; j < m; j++) {
            for (int i = 0; i < n; i++) {
                dw[j][i] = v[p(j, i)] - v[q(j, i)];
            }
            db[j] = v[bp(j)] - v[bq(j)];
        }
        return new ParameterDelta(dw, db);
    }

    /** The subdomains with a row within {@link #NEAR} of its bound in solution {@code v}. */
    List<Subdomain> binding(double[] v) {
        List<Subdomain> binding = new ArrayList<>();
        for (Rows r : live) {
            boolean bind = false;
            for (int k = 0; k < r.data().length; k++) {
                double[] coef = r.data()[k];
                double act = 0;
                double moved = 0;
                for (int t = 0; t < coef.length - 1; t++) {
                    act += coef[t] * v[t];
                    moved += Math.abs(coef[t] * v[t]);
                }
                double lo = coef[coef.length - 1];
                // a row keeping a constraint from moving binds only where the change moves it at all
                bind |= r.keeps()[k] ? moved > 1e-9 && act <= 1e-7 * moved
                        : act - lo <= Math.max(1e-7 * (1 + Math.abs(lo)), NEAR * Math.abs(lo));
            }
            if (bind) {
                binding.add(r.sub());
            }
        }
        return binding;
    }

    /** Rows added, LP solves and seconds spent in them (for the debug trace). */
    String stats() {
        return String.format(java.util.Locale.ROOT, "%d rows, %d solves in %.2f s CPU", rowCount, solves,
                solveNanos / 1e9);
    }

    /** Total slack and the number of samples with slack in solution {@code v} (for the debug trace). */
    double[] slackUsed(double[] v) {
        double sl = 0;
        int nz = 0;
        for (int s = 0; s < slack.length; s++) {
            double sv = slackValue(v, s);
            sl += sv;
            nz += sv > 1e-9 ? 1 : 0;
        }
        return new double[] {sl, nz};
    }

    private double[] deltaY(double[] v, double[] h) {
        double[] dy = new double[m];
        for (int j = 0; j < m; j++) {
            double s = v[bp(j)] - v[bq(j)];
            for (int i = 0; i < n; i++) {
                double d = v[p(j, i)] - v[q(j, i)];
                if (d != 0) {
                    s += d * h[i];
                }
            }
            dy[j] = s;
        }
        return dy;
    }

    private double slackValue(double[] v, int s) {
        return slack[s] < 0 || slack[s] >= v.length ? 0 : v[slack[s]]; // none yet, or added after this solve
    }

    /** The row {@code sign · (y'_j - y'_k) + slack >= keep(gap)} for sample {@code s} and competitor {@code j}. */
    private void addSampleRow(int s, int j) {
        Sample smp = samples.get(s);
        int k = smp.decision();
        double sg = fs.sign();
        if (slack[s] < 0) {
            slack[s] = lp.variable(0, Double.POSITIVE_INFINITY, opt.fidelityWeight() * smp.weight());
        }
        int[] idx = new int[4 * n + 5];
        double[] c = new double[4 * n + 5];
        int t = 0;
        for (int i = 0; i < n; i++) {
            double h = smp.h()[i];
            idx[t] = p(j, i);
            c[t++] = sg * h;
            idx[t] = q(j, i);
            c[t++] = -sg * h;
            idx[t] = p(k, i);
            c[t++] = -sg * h;
            idx[t] = q(k, i);
            c[t++] = sg * h;
        }
        idx[t] = bp(j);
        c[t++] = sg;
        idx[t] = bq(j);
        c[t++] = -sg;
        idx[t] = bp(k);
        c[t++] = -sg;
        idx[t] = bq(k);
        c[t++] = sg;
        idx[t] = slack[s];
        c[t] = 1;
        double g = fs.gap(smp.y(), j, k);
        lp.row(fs.keep(g) - g, Double.POSITIVE_INFINITY, idx, c);
        rowCount++;
        have[s][j] = true;
    }

    @Override
    public void close() {
        lp.close();
    }
}
