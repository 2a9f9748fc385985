package dev.engram.verify.graph;

import dev.engram.model.dag.Dag;
import dev.engram.verify.bounds.Deadline;

/**
 * α-CROWN (Xu et al., "Fast and Complete", ICLR 2021) on a graph: the lower slopes of unstable ReLU elements become
 * free parameters {@code α ∈ [leak, 1]}, one set per output row, optimised by projected Adam ascent on the row's
 * bound. With the relaxation fixed the bound is linear in each {@code α_o}, with derivative {@code a_o · z_o(x*)}
 * ({@code a_o} the coefficient that met the line, {@code x*} the minimising input corner); we take {@code z_o(x*)}
 * from the exact network at {@code x*} (exact when the ReLU follows affine operators only, a heuristic otherwise).
 * Every iterate is a valid bound whatever the slopes (each {@code α z} is a lower line of the ReLU on its whole
 * range), and the best per row is kept, CROWN's adaptive choice included. Intermediate bounds are not optimised.
 */
final class AlphaCrown {
    private AlphaCrown() {
    }

    /**
     * Lower bounds of {@code rows · ŷ}, at least CROWN's, optimised for {@code steps} steps or until some row's bound
     * exceeds its {@code stop} value (then the caller's conjunction is refuted).
     */
    static GraphBounds.Linear optimise(GraphBounds g, GraphBounds.Ranges ranges, double[][] rows, double[] stop,
                                       int steps, Deadline deadline) {
        int nv = g.dag().valueCount();
        int m = rows.length;
        double[][][] alpha = new double[nv][][];
        double[][][] mom = new double[nv][][];
        double[][][] vel = new double[nv][][];
        boolean any = false;
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof ReluBound relu) {
                int v = 1 + k;
                Range z = ranges.values()[g.dag().nodes().get(k).arg(0)];
                alpha[v] = new double[m][relu.size()];
                mom[v] = new double[m][relu.size()];
                vel[v] = new double[m][relu.size()];
                for (int r = 0; r < m; r++) {
                    for (int i = 0; i < relu.size(); i++) {
                        alpha[v][r][i] = z.hi()[i] >= -z.lo()[i] ? 1 : relu.leak();
                    }
                }
                any = true;
            }
        }
        GraphBounds.Linear best = g.pass(ranges, g.output(), copy(rows));
        if (!any) {
            return best;
        }
        double[] bound = best.bound().clone();
        double[][] coef = best.coef();
        double[] constant = best.constant().clone();
        for (int t = 1; t <= steps && !reached(bound, stop); t++) {
            deadline.check();
            Backward pb = new Backward(m);
            pb.alpha = alpha;
            pb.used = new double[nv][][];
            for (int v = 0; v < nv; v++) {
                if (alpha[v] != null) {
                    pb.used[v] = new double[m][alpha[v][0].length];
                }
            }
            GraphBounds.Linear lin = g.pass(ranges, g.output(), copy(rows), pb);
            for (int r = 0; r < m; r++) {
                if (lin.bound()[r] > bound[r]) {
                    bound[r] = lin.bound()[r];
                    coef[r] = lin.coef()[r];
                    constant[r] = lin.constant()[r];
                }
            }
            for (int r = 0; r < m; r++) {
                double[] xs = minimiser(lin.coef()[r], ranges.values()[0]);
                GraphBounds.Ranges at = g.point(xs);
                step(g, alpha, mom, vel, pb.used, at, r, t);
            }
        }
        return new GraphBounds.Linear(bound, coef, constant);
    }

    /** One projected Adam step (rate 0.1) of row r's slopes along {@code a_o · z_o(x*)}. */
    private static void step(GraphBounds g, double[][][] alpha, double[][][] mom, double[][][] vel, double[][][] used,
                             GraphBounds.Ranges at, int r, int t) {
        Dag dag = g.dag();
        for (int v = 1; v < alpha.length; v++) {
            if (alpha[v] == null) {
                continue;
            }
            double leak = ((ReluBound) g.ops().get(v - 1)).leak();
            double[] z = at.values()[dag.nodes().get(v - 1).arg(0)].lo();
            double[] al = alpha[v][r];
            double[] mo = mom[v][r];
            double[] ve = vel[v][r];
            double[] u = used[v][r];
            for (int i = 0; i < al.length; i++) {
                if (u[i] == 0) {
                    continue;
                }
                double grad = u[i] * z[i];
                mo[i] = 0.9 * mo[i] + 0.1 * grad;
                ve[i] = 0.999 * ve[i] + 0.001 * grad * grad;
                double mh = mo[i] / (1 - Math.pow(0.9, t));
                double vh = ve[i] / (1 - Math.pow(0.999, t));
                al[i] = Math.min(1, Math.max(leak, al[i] + 0.1 * mh / (Math.sqrt(vh) + 1e-12)));
            }
        }
    }

    private static boolean reached(double[] bound, double[] stop) {
        for (int r = 0; r < bound.length; r++) {
            if (bound[r] > stop[r]) {
                return true;
            }
        }
        return false;
    }

    static double[] minimiser(double[] coef, Range box) {
        double[] x = new double[coef.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = coef[i] >= 0 ? box.lo()[i] : box.hi()[i];
        }
        return x;
    }

    static double[][] copy(double[][] rows) {
        double[][] c = new double[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            c[r] = rows[r].clone();
        }
        return c;
    }
}
