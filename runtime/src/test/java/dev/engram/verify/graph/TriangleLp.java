package dev.engram.verify.graph;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;

/**
 * Test oracle: the triangle-relaxation LP of a chain of affine and ReLU operators (GLOP through OR-Tools), from the
 * argument of the first Gemm (a box: its range) to a target value, every ReLU relaxed by its triangle on
 * the given ranges and every affine output allowed its float32 error interval. Real arithmetic, floating-point LP:
 * for comparisons, never a bound that decides anything.
 */
final class TriangleLp implements AutoCloseable {
    private static boolean loaded;
    private final MPSolver solver;
    private final MPVariable[] target;

    TriangleLp(GraphBounds g, GraphBounds.Ranges ranges, int targetValue) {
        this(g, ranges, targetValue, false);
    }

    private final boolean hull;
    private SparseAffine[] mapOf;
    private int[] argOf;
    private GraphBounds.Ranges rs;
    private MPVariable[][] vars;

    /** With {@code hull}: every ReLU of an affine map of a box also gets its per-neuron input-space hull facets. */
    TriangleLp(GraphBounds g, GraphBounds.Ranges ranges, int targetValue, boolean hull) {
        load();
        this.hull = hull;
        this.mapOf = new SparseAffine[g.dag().valueCount()];
        this.argOf = new int[g.dag().valueCount()];
        this.rs = ranges;
        solver = MPSolver.createSolver("GLOP");
        MPVariable[][] var = new MPVariable[g.dag().valueCount()][];
        this.vars = var;
        var[0] = box(ranges.values()[0], "x0");
        for (int k = 0; k < targetValue; k++) {
            int v = 1 + k;
            BoundOp op = g.ops().get(k);
            int a = g.dag().nodes().get(k).arg(0);
            Range rv = ranges.values()[v];
            if (op instanceof AffineOp affine && (var[a] != null || op instanceof GemmBound || a == 0)) {
                if (var[a] == null) {
                    var[a] = box(ranges.values()[a], "x" + a);
                }
                var[v] = affine(affine.map, var[a], rv, ranges.errors()[v], v);
                if (a == 0) {
                    mapOf[v] = affine.map;
                    argOf[v] = a;
                }
            } else if (op instanceof ReluBound relu && var[a] != null) {
                var[v] = relu(relu, var[a], ranges.values()[a], v);
                if (hull && mapOf[a] != null && relu.leak() == 0) {
                    hullFacets(a, var[v]);
                }
            } else if (op instanceof RelayoutBound move && var[a] != null) {
                var[v] = new MPVariable[move.size()];
                for (int f = 0; f < var[v].length; f++) {
                    if (move.source(f) < 0) {
                        throw new IllegalArgumentException("LP oracle: a fill value");
                    }
                    var[v][f] = var[a][move.source(f)];
                }
            } else if (var[a] != null) {
                throw new IllegalArgumentException("LP oracle: " + op.type());
            }
        }
        target = var[targetValue];
    }

    private static synchronized void load() {
        if (!loaded) {
            Loader.loadNativeLibraries();
            loaded = true;
        }
    }

    private MPVariable[] box(Range r, String name) {
        MPVariable[] x = new MPVariable[r.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = solver.makeNumVar(r.lo()[i], r.hi()[i], name + "_" + i);
        }
        return x;
    }

    private MPVariable[] affine(SparseAffine m, MPVariable[] x, Range rv, double[] err, int v) {
        MPVariable[] z = new MPVariable[m.out];
        for (int e = 0; e < m.out; e++) {
            z[e] = solver.makeNumVar(rv.lo()[e], rv.hi()[e], "z" + v + "_" + e);
            double b = m.b == null ? 0 : m.b[e];
            double d = err == null ? 0 : err[e];
            MPConstraint c = solver.makeConstraint(b - d, b + d); // z − W x ∈ b ± err
            c.setCoefficient(z[e], 1);
            for (int t = e * m.fanIn, end = t + m.fanIn; t < end; t++) {
                if (m.w[t] != 0) {
                    c.setCoefficient(x[m.idx[t]], c.getCoefficient(x[m.idx[t]]) - m.w[t]);
                }
            }
        }
        return z;
    }

    private MPVariable[] relu(ReluBound op, MPVariable[] z, Range zr, int v) {
        MPVariable[] h = new MPVariable[z.length];
        double leak = op.leak();
        for (int i = 0; i < z.length; i++) {
            double l = zr.lo()[i];
            double u = zr.hi()[i];
            if (l >= 0) {
                h[i] = z[i];
                continue;
            }
            h[i] = solver.makeNumVar(Math.min(leak * l, 0), Math.max(u, 0), "h" + v + "_" + i);
            if (u <= 0) {
                MPConstraint c = solver.makeConstraint(0, 0);
                c.setCoefficient(h[i], 1);
                c.setCoefficient(z[i], -leak);
                continue;
            }
            MPConstraint ge = solver.makeConstraint(0, MPSolver.infinity()); // h − z >= 0
            ge.setCoefficient(h[i], 1);
            ge.setCoefficient(z[i], -1);
            MPConstraint gl = solver.makeConstraint(0, MPSolver.infinity()); // h − leak z >= 0
            gl.setCoefficient(h[i], 1);
            gl.setCoefficient(z[i], -leak);
            double s = (u - leak * l) / (u - l);
            MPConstraint ch = solver.makeConstraint(-MPSolver.infinity(), leak * l - s * l); // h − s z <= t
            ch.setCoefficient(h[i], 1);
            ch.setCoefficient(z[i], -s);
        }
        return h;
    }

    private void hullFacets(int a, MPVariable[] h) {
        SparseAffine m = mapOf[a];
        Range x = rs.values()[argOf[a]];
        Range z = rs.values()[a];
        double[] err = rs.errors()[a];
        MPVariable[] xv = vars[argOf[a]];
        for (int e = 0; e < m.out; e++) {
            if (!(z.lo()[e] < 0 && z.hi()[e] > 0)) {
                continue;
            }
            int n = m.fanIn;
            double z0 = m.b == null ? 0 : m.b[e];
            java.util.List<Integer> live = new java.util.ArrayList<>();
            double[] lowEnd = new double[n];
            double[] span = new double[n];
            double[] gain = new double[n];
            for (int t = 0; t < n; t++) {
                double w = m.w[e * n + t];
                int i = m.idx[e * n + t];
                lowEnd[t] = w > 0 ? x.lo()[i] : x.hi()[i];
                span[t] = (w > 0 ? x.hi()[i] : x.lo()[i]) - lowEnd[t];
                z0 += w * lowEnd[t];
                gain[t] = w * span[t];
                if (w != 0 && span[t] != 0) {
                    live.add(t);
                }
            }
            double d = err == null ? 0 : err[e];
            int[] perm = live.stream().mapToInt(Integer::intValue).toArray();
            for (int[] p : permutations(perm)) {
                // h <= f(0) + Σ_k t_p(k) (f(S_k) - f(S_k-1)) + d, t = (x - lowEnd)/span
                MPConstraint c = solver.makeConstraint(-MPSolver.infinity(), 0);
                double prev = Math.max(0, z0);
                double constant = prev + d;
                double s = z0;
                for (int t : p) {
                    s += gain[t];
                    double f = Math.max(0, s);
                    double coef = (f - prev) / span[t];
                    prev = f;
                    int i = m.idx[e * n + t];
                    c.setCoefficient(xv[i], c.getCoefficient(xv[i]) - coef);
                    constant -= coef * lowEnd[t];
                }
                c.setCoefficient(h[e], 1);
                c.setUb(constant);
            }
        }
    }

    private static java.util.List<int[]> permutations(int[] a) {
        java.util.List<int[]> out = new java.util.ArrayList<>();
        permute(a, 0, out);
        return out;
    }

    private static void permute(int[] a, int k, java.util.List<int[]> out) {
        if (k == a.length) {
            out.add(a.clone());
            return;
        }
        for (int i = k; i < a.length; i++) {
            int t = a[k]; a[k] = a[i]; a[i] = t;
            permute(a, k + 1, out);
            t = a[k]; a[k] = a[i]; a[i] = t;
        }
    }

    /** The LP's minimum of {@code sign · target_i} (NaN when not solved to optimality). */
    double min(int i, int sign) {
        MPObjective obj = solver.objective();
        obj.clear();
        obj.setCoefficient(target[i], sign);
        obj.setMinimization();
        MPSolver.ResultStatus st = solver.solve();
        return st == MPSolver.ResultStatus.OPTIMAL ? obj.value() : Double.NaN;
    }

    /** The LP's minimum of {@code Σ row_i · target_i} (NaN when not solved to optimality). */
    double min(double[] row) {
        MPObjective obj = solver.objective();
        obj.clear();
        for (int i = 0; i < row.length; i++) {
            if (row[i] != 0) {
                obj.setCoefficient(target[i], row[i]);
            }
        }
        obj.setMinimization();
        MPSolver.ResultStatus st = solver.solve();
        return st == MPSolver.ResultStatus.OPTIMAL ? obj.value() : Double.NaN;
    }

    @Override
    public void close() {
        solver.delete();
    }
}
