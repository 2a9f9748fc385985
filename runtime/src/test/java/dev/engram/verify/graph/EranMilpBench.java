package dev.engram.verify.graph;

import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;
import dev.engram.model.Models;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Experiment (no soundness: SCIP's floating-point bounds): how much MILP-tight intermediate bounds of the first
 * layers would move an eran ReLU instance's root margins. Args: net spec layers secondsPerNeuron.
 */
public final class EranMilpBench {
    public static void main(String[] args) throws Exception {
        GraphBounds g = GraphBounds.of(Models.load(Path.of(args[0])).dag());
        Box box = EranLpBench.box(g, Path.of(args[1]));
        com.google.ortools.Loader.loadNativeLibraries();
        int layers = Integer.parseInt(args[2]);
        double secs = Double.parseDouble(args[3]);
        GraphBounds.Ranges r = g.ranges(box, 3, 2, Deadline.NONE);
        System.out.println("alpha3: " + EranLpBench.layers(g, r) + margins(g, r, args[1]));
        int seen = 0;
        for (int k = 0; k < g.ops().size() && seen < layers; k++) {
            if (!(g.ops().get(k) instanceof ReluBound)) {
                continue;
            }
            if (seen++ == 0) {
                continue; // the first ReLU's argument: intervals are exact
            }
            int v = g.dag().nodes().get(k).arg(0);
            long t0 = System.nanoTime();
            Range z = r.values()[v];
            double[] lo = z.lo().clone();
            double[] hi = z.hi().clone();
            for (int i = 0; i < z.size(); i++) {
                if (lo[i] < 0 && hi[i] > 0) {
                    lo[i] = Math.max(lo[i], milp(g, r, v, i, 1, secs));
                    hi[i] = Math.min(hi[i], -milp(g, r, v, i, -1, secs));
                }
            }
            Range[] values = r.values().clone();
            values[v] = new Range(lo, hi);
            r = g.refineOptimised(new GraphBounds.Ranges(values, r.errors()), v, 3, Deadline.NONE);
            System.out.printf("MILP layer %d (%.1f s): %s%s%n", seen - 1, (System.nanoTime() - t0) / 1e9,
                    EranLpBench.layers(g, r), margins(g, r, args[1]));
        }
    }

    /** SCIP's best bound of min sign·z_v[i] over the big-M MILP on the ranges (earlier ReLUs exact). */
    static double milp(GraphBounds g, GraphBounds.Ranges r, int v, int i, int sign, double secs) {
        MPSolver solver = MPSolver.createSolver("SCIP");
        try {
            MPVariable[] x = null;
            MPVariable[][] var = new MPVariable[g.dag().valueCount()][];
            for (int k = 0; k < v; k++) {
                int u = 1 + k;
                BoundOp op = g.ops().get(k);
                int a = g.dag().nodes().get(k).arg(0);
                if (op instanceof GemmBound gemm) {
                    if (var[a] == null) {
                        Range ra = r.values()[a];
                        var[a] = new MPVariable[ra.size()];
                        for (int j = 0; j < ra.size(); j++) {
                            var[a][j] = solver.makeNumVar(ra.lo()[j], ra.hi()[j], "");
                        }
                    }
                    SparseAffine m = gemm.map;
                    Range ru = r.values()[u];
                    var[u] = new MPVariable[m.out];
                    for (int e = 0; e < m.out; e++) {
                        var[u][e] = solver.makeNumVar(ru.lo()[e], ru.hi()[e], "");
                        double b = m.b == null ? 0 : m.b[e];
                        double d = r.errors()[u] == null ? 0 : r.errors()[u][e];
                        MPConstraint c = solver.makeConstraint(b - d, b + d);
                        c.setCoefficient(var[u][e], 1);
                        for (int t = e * m.fanIn; t < (e + 1) * m.fanIn; t++) {
                            if (m.w[t] != 0) {
                                c.setCoefficient(var[a][m.idx[t]], -m.w[t]);
                            }
                        }
                    }
                } else if (op instanceof ReluBound && var[a] != null) {
                    var[u] = relu(solver, var[a], r.values()[a]);
                }
            }
            MPObjective obj = solver.objective();
            obj.setCoefficient(var[v][i], sign);
            obj.setMinimization();
            solver.setTimeLimit((long) (secs * 1000));
            solver.solve();
            return obj.bestBound();
        } finally {
            solver.delete();
        }
    }

    /** The big-M encoding of ReLU on {@code z} with its range {@code zr}. */
    static MPVariable[] relu(MPSolver solver, MPVariable[] z, Range zr) {
        MPVariable[] h = new MPVariable[z.length];
        for (int o = 0; o < z.length; o++) {
            double l = zr.lo()[o];
            double u = zr.hi()[o];
            if (l >= 0) {
                h[o] = z[o];
            } else if (u <= 0) {
                h[o] = solver.makeNumVar(0, 0, "");
            } else {
                MPVariable y = solver.makeNumVar(0, u, "");
                MPVariable a = solver.makeBoolVar("");
                MPConstraint ge = solver.makeConstraint(0, MPSolver.infinity());
                ge.setCoefficient(y, 1);
                ge.setCoefficient(z[o], -1);
                MPConstraint le = solver.makeConstraint(-MPSolver.infinity(), -l);
                le.setCoefficient(y, 1);
                le.setCoefficient(z[o], -1);
                le.setCoefficient(a, -l);
                MPConstraint on = solver.makeConstraint(-MPSolver.infinity(), 0);
                on.setCoefficient(y, 1);
                on.setCoefficient(a, -u);
                h[o] = y;
            }
        }
        return h;
    }

    /** α-CROWN (40 steps) root margins of the spec's conjunctions {@code Y_a >= Y_b}. */
    static String margins(GraphBounds g, GraphBounds.Ranges r, String spec) throws Exception {
        Matcher o = Pattern.compile("\\(and \\(>= Y_(\\d+) Y_(\\d+)\\)\\)").matcher(Files.readString(Path.of(spec)));
        StringBuilder ms = new StringBuilder(" margins ");
        while (o.find()) {
            double[] row = new double[10];
            row[Integer.parseInt(o.group(2))] = 1;
            row[Integer.parseInt(o.group(1))] = -1;
            BetaCrown.Result res = BetaCrown.optimise(g, r, List.of(), new double[][] {row}, new double[] {0}, 40,
                    null, Deadline.NONE);
            ms.append(String.format("%.3f ", res.linear().bound()[0]));
        }
        return ms.toString();
    }
}
