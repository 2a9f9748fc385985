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
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Experiment (no soundness: GLOP's and SCIP's floating-point bounds) on a conv net with a robustness spec (verivital):
 * the verifier's root ranges (3 α steps), per ReLU argument the unstable count and mean width, the α-CROWN (40 steps)
 * root margins of the conjunctions against the triangle LP's over the same ranges ({@link TriangleLp}), then for each
 * ReLU layer in {@code layers} (comma list of indices among the ReLUs) its unstable elements' exact ranges by a
 * big-M MILP (SCIP, {@code seconds} per bound) and the margins with them (later ranges re-tightened, 3 α steps).
 * Args: net spec layers seconds. With {@code -Dhull=<conjunctions>} (comma list) instead: the LP with every facet of
 * every first-layer element's input-space envelope ({@link TriangleLp} with {@code hull}), the bound
 * {@link InputHull} approaches.
 */
public final class ConvOracleBench {
    public static void main(String[] args) throws Exception {
        GraphBounds g = GraphBounds.of(Models.load(Path.of(args[0])).dag());
        for (int k = 0; k < g.ops().size(); k++) {
            System.out.printf("op %d %s -> value %d (%d) args %s%n", k, g.ops().get(k).type(), k + 1,
                    g.ops().get(k).size(), java.util.Arrays.toString(g.dag().nodes().get(k).args()));
        }
        Box box = EranLpBench.box(g, Path.of(args[1]));
        List<double[]> rows = rows(Files.readString(Path.of(args[1])), g.outputSize());
        com.google.ortools.Loader.loadNativeLibraries();
        long t0 = System.nanoTime();
        GraphBounds.Ranges r = g.ranges(box, 3, 2, Deadline.NONE);
        System.out.printf("alpha3 ranges (%.1f s): %s%n", (System.nanoTime() - t0) / 1e9, EranLpBench.layers(g, r));
        report(g, r, rows);
        if (System.getProperty("hull") != null) {
            try (TriangleLp lp = new TriangleLp(g, r, g.dag().valueCount() - 1, true)) {
                for (String c : System.getProperty("hull").split(",")) {
                    long t3 = System.nanoTime();
                    System.out.printf("hull LP conjunction %s: %.4f (%.1f s)%n", c, lp.min(rows.get(Integer.parseInt(c))),
                            (System.nanoTime() - t3) / 1e9);
                }
            }
            return;
        }
        if (args.length > 4) { // the whole MILP of the conjunctions in args[4] (comma list), args[3] seconds each
            for (String c : args[4].split(",")) {
                double[] row = rows.get(Integer.parseInt(c));
                int out = g.dag().valueCount() - 1;
                long t2 = System.nanoTime();
                double[] res = milpRow(g, r, out, row, Double.parseDouble(args[3]));
                System.out.printf("MILP conjunction %s: best bound %.4f, incumbent %.4f (%.1f s)%n", c, res[0],
                        res[1], (System.nanoTime() - t2) / 1e9);
            }
            return;
        }
        for (String l : args[2].split(",")) {
            if (l.isEmpty()) {
                continue;
            }
            int v = reluArg(g, Integer.parseInt(l));
            long t1 = System.nanoTime();
            Range z = r.values()[v];
            double[] lo = z.lo().clone();
            double[] hi = z.hi().clone();
            double gain = 0;
            int n = 0;
            for (int i = 0; i < z.size(); i++) {
                if (lo[i] < 0 && hi[i] > 0) {
                    double a = milp(g, r, v, i, 1, Double.parseDouble(args[3]));
                    double b = -milp(g, r, v, i, -1, Double.parseDouble(args[3]));
                    gain += Math.max(0, a - lo[i]) + Math.max(0, hi[i] - b);
                    lo[i] = Math.max(lo[i], a);
                    hi[i] = Math.min(hi[i], b);
                    n++;
                }
            }
            Range[] values = r.values().clone();
            values[v] = new Range(lo, hi);
            r = g.refineOptimised(new GraphBounds.Ranges(values, r.errors()), v, 3, Deadline.NONE);
            System.out.printf("MILP relu %s (value %d, %d elements, width gained %.3f, %.1f s): %s%n", l, v, n, gain,
                    (System.nanoTime() - t1) / 1e9, EranLpBench.layers(g, r));
            report(g, r, rows);
        }
    }

    private static void report(GraphBounds g, GraphBounds.Ranges r, List<double[]> rows) {
        StringBuilder a = new StringBuilder("  alpha40:");
        StringBuilder p = new StringBuilder("  LP:     ");
        try (TriangleLp lp = new TriangleLp(g, r, g.dag().valueCount() - 1)) {
            for (double[] row : rows) {
                BetaCrown.Result res = BetaCrown.optimise(g, r, List.of(), new double[][] {row}, new double[] {0}, 40,
                        null, Deadline.NONE);
                a.append(String.format(" %8.3f", res.linear().bound()[0]));
                p.append(String.format(" %8.3f", lp.min(row)));
            }
        }
        System.out.println(a);
        System.out.println(p);
    }

    static int reluArg(GraphBounds g, int layer) {
        for (int o = 0, seen = 0; o < g.ops().size(); o++) {
            if (g.ops().get(o) instanceof ReluBound && seen++ == layer) {
                return g.dag().nodes().get(o).arg(0);
            }
        }
        throw new IllegalArgumentException("no ReLU " + layer);
    }

    /** The rows {@code Y_b − Y_a} of the spec's conjunctions {@code Y_a >= Y_b} (unsafe when below 0). */
    static List<double[]> rows(String spec, int outputs) {
        Matcher o = Pattern.compile("\\(and \\(>= Y_(\\d+) Y_(\\d+)\\)\\)").matcher(spec);
        List<double[]> rows = new ArrayList<>();
        while (o.find()) {
            double[] row = new double[outputs];
            row[Integer.parseInt(o.group(2))] = 1;
            row[Integer.parseInt(o.group(1))] = -1;
            rows.add(row);
        }
        return rows;
    }

    /** SCIP's {best bound, incumbent} of min row·z_v over the big-M MILP from the input box. */
    static double[] milpRow(GraphBounds g, GraphBounds.Ranges r, int v, double[] row, double secs) {
        MILP_ROW[0] = row;
        try {
            double lb = milp(g, r, v, -1, 1, secs);
            return new double[] {lb, MILP_ROW[1][0]};
        } finally {
            MILP_ROW[0] = null;
        }
    }

    private static final double[][] MILP_ROW = new double[2][];

    /** SCIP's best bound of min sign·z_v[i] over the big-M MILP from the input box (every ReLU exact). */
    static double milp(GraphBounds g, GraphBounds.Ranges r, int v, int i, int sign, double secs) {
        MPSolver solver = MPSolver.createSolver("SCIP");
        try {
            MPVariable[][] var = new MPVariable[g.dag().valueCount()][];
            Range r0 = r.values()[0];
            var[0] = new MPVariable[r0.size()];
            for (int j = 0; j < r0.size(); j++) {
                var[0][j] = solver.makeNumVar(r0.lo()[j], r0.hi()[j], "");
            }
            for (int k = 0; k < v; k++) {
                int u = 1 + k;
                BoundOp op = g.ops().get(k);
                int a = g.dag().nodes().get(k).arg(0);
                if (op instanceof AffineOp aff) {
                    var[u] = affine(solver, aff.map, var[a], r.values()[u], r.errors()[u]);
                } else if (op instanceof RelayoutBound move) {
                    var[u] = new MPVariable[move.size()];
                    for (int f = 0; f < move.size(); f++) {
                        var[u][f] = var[a][move.source(f)];
                    }
                } else if (op instanceof ReluBound) {
                    var[u] = EranMilpBench.relu(solver, var[a], r.values()[a]);
                } else {
                    throw new IllegalArgumentException("MILP oracle: " + op.type());
                }
            }
            MPObjective obj = solver.objective();
            if (i < 0) {
                for (int e = 0; e < MILP_ROW[0].length; e++) {
                    obj.setCoefficient(var[v][e], MILP_ROW[0][e]);
                }
            } else {
                obj.setCoefficient(var[v][i], sign);
            }
            obj.setMinimization();
            solver.setTimeLimit((long) (secs * 1000));
            if (System.getProperty("scip") != null) {
                solver.setSolverSpecificParametersAsString(System.getProperty("scip").replace(';', '\n'));
            }
            MPSolver.ResultStatus st = solver.solve();
            MILP_ROW[1] = new double[] {st == MPSolver.ResultStatus.OPTIMAL || st == MPSolver.ResultStatus.FEASIBLE
                    ? obj.value() : Double.NaN};
            return obj.bestBound();
        } finally {
            solver.delete();
        }
    }

    private static MPVariable[] affine(MPSolver solver, SparseAffine m, MPVariable[] x, Range ru, double[] err) {
        MPVariable[] z = new MPVariable[m.out];
        for (int e = 0; e < m.out; e++) {
            z[e] = solver.makeNumVar(ru.lo()[e], ru.hi()[e], "");
            double b = m.b == null ? 0 : m.b[e];
            double d = err == null ? 0 : err[e];
            MPConstraint c = solver.makeConstraint(b - d, b + d);
            c.setCoefficient(z[e], 1);
            for (int t = e * m.fanIn; t < (e + 1) * m.fanIn; t++) {
                if (m.w[t] != 0) {
                    c.setCoefficient(x[m.idx[t]], c.getCoefficient(x[m.idx[t]]) - m.w[t]);
                }
            }
        }
        return z;
    }
}
