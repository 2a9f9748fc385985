package dev.engram.verify;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPSolverParameters;
import com.google.ortools.linearsolver.MPVariable;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;

import java.util.List;

/**
 * An exact oracle in real arithmetic, independent of the verifier's bound code: a ReLU network over a box as a
 * mixed-integer program (the big-M encoding of Tjeng, Xiao and Tedrake, "Evaluating robustness of neural networks
 * with mixed integer programming", ICLR 2019), with the big-M constants from plain interval arithmetic computed here,
 * solved by SCIP through OR-Tools. {@link #maxSlack} gives {@code max min_j (b_j − c_j · y)} over the box for a
 * conjunction {@code c_j · y <= b_j}: the conjunction is reachable exactly when it is {@code >= 0}. The compiler's
 * tests use it through this module's test jar.
 */
public final class MilpOracle {
    private static boolean loaded;

    private MilpOracle() {
    }

    private static synchronized void load() {
        if (!loaded) {
            Loader.loadNativeLibraries();
            loaded = true;
        }
    }

    /** The largest {@link #maxSlack} over the conjunctions of {@code unsafe} (NaN when one was not solved). */
    public static double maxSlackOfUnion(DenseNetwork net, Box box, List<List<LinearConstraint>> unsafe, double seconds) {
        double worst = Double.NEGATIVE_INFINITY;
        for (List<LinearConstraint> conj : unsafe) {
            double s = maxSlack(net, box, conj, seconds);
            if (Double.isNaN(s)) {
                return s;
            }
            worst = Math.max(worst, s);
        }
        return worst;
    }

    /**
     * The conjunction with every threshold moved by {@code delta − maxSlack} (moving every threshold by the same
     * amount moves the best slack by it): its best slack is {@code delta}, so it is reachable exactly when
     * {@code delta > 0}. Null when SCIP did not solve it within {@code seconds}.
     */
    static List<LinearConstraint> withBestSlack(DenseNetwork net, Box box, List<LinearConstraint> conj, double delta,
                                                double seconds) {
        double best = maxSlack(net, box, conj, seconds);
        if (Double.isNaN(best)) {
            return null;
        }
        List<LinearConstraint> shifted = new java.util.ArrayList<>();
        for (LinearConstraint c : conj) {
            shifted.add(new LinearConstraint(c.coefficients(), c.bound() - best + delta));
        }
        return shifted;
    }

    /** The optimal slack of one conjunction, or NaN when SCIP did not prove optimality within {@code seconds}. */
    public static double maxSlack(DenseNetwork net, Box box, List<LinearConstraint> conj, double seconds) {
        load();
        MPSolver solver = MPSolver.createSolver("SCIP");
        if (solver == null) {
            throw new IllegalStateException("OR-Tools SCIP is not available");
        }
        try {
            int d = box.dimension();
            MPVariable[] h = new MPVariable[d];
            double[] hl = box.lo().clone();
            double[] hu = box.hi().clone();
            for (int i = 0; i < d; i++) {
                h[i] = solver.makeNumVar(hl[i], hu[i], "x" + i);
            }
            int l = 0;
            for (DenseLayer layer : net.layers()) {
                int out = layer.outputSize();
                MPVariable[] z = new MPVariable[out];
                double[] zl = new double[out];
                double[] zu = new double[out];
                for (int o = 0; o < out; o++) {
                    double lo = layer.bias()[o];
                    double hi = layer.bias()[o];
                    for (int i = 0; i < h.length; i++) {
                        double w = layer.weight()[o][i];
                        lo += Math.min(w * hl[i], w * hu[i]);
                        hi += Math.max(w * hl[i], w * hu[i]);
                    }
                    // generous widening: these are big-M constants, never a bound that decides anything
                    double pad = 1e-6 * (1 + Math.abs(lo) + Math.abs(hi));
                    zl[o] = lo - pad;
                    zu[o] = hi + pad;
                    z[o] = solver.makeNumVar(zl[o], zu[o], "z" + l + "_" + o);
                    MPConstraint eq = solver.makeConstraint(layer.bias()[o], layer.bias()[o]);
                    eq.setCoefficient(z[o], 1);
                    for (int i = 0; i < h.length; i++) {
                        eq.setCoefficient(h[i], -layer.weight()[o][i]);
                    }
                }
                if (layer.activation() == Activation.IDENTITY) {
                    h = z;
                    hl = zl;
                    hu = zu;
                } else if (layer.activation() == Activation.RELU) {
                    h = relu(solver, z, zl, zu, l);
                    hl = new double[out];
                    hu = new double[out];
                    for (int o = 0; o < out; o++) {
                        hu[o] = Math.max(0, zu[o]);
                    }
                } else {
                    throw new IllegalArgumentException("MILP oracle: " + layer.activation());
                }
                l++;
            }
            MPVariable s = solver.makeNumVar(-1e6, 1e6, "slack");
            for (LinearConstraint c : conj) {
                // c · y + s <= b
                MPConstraint row = solver.makeConstraint(-MPSolver.infinity(), c.bound());
                row.setCoefficient(s, 1);
                for (int j = 0; j < h.length; j++) {
                    row.setCoefficient(h[j], c.coefficients()[j]);
                }
            }
            MPObjective obj = solver.objective();
            obj.setCoefficient(s, 1);
            obj.setMaximization();
            solver.setTimeLimit((long) (seconds * 1000));
            MPSolverParameters params = new MPSolverParameters();
            params.setDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, 1e-9);
            MPSolver.ResultStatus st = solver.solve(params);
            return st == MPSolver.ResultStatus.OPTIMAL ? obj.value() : Double.NaN;
        } finally {
            solver.delete();
        }
    }

    /** {@code h = relu(z)}: exact for stable units, the big-M encoding with one binary for unstable ones. */
    private static MPVariable[] relu(MPSolver solver, MPVariable[] z, double[] zl, double[] zu, int l) {
        MPVariable[] h = new MPVariable[z.length];
        for (int o = 0; o < z.length; o++) {
            if (zl[o] >= 0) {
                h[o] = z[o];
            } else if (zu[o] <= 0) {
                h[o] = solver.makeNumVar(0, 0, "h" + l + "_" + o);
            } else {
                MPVariable v = solver.makeNumVar(0, zu[o], "h" + l + "_" + o);
                MPVariable a = solver.makeBoolVar("a" + l + "_" + o);
                MPConstraint ge = solver.makeConstraint(0, MPSolver.infinity()); // h - z >= 0
                ge.setCoefficient(v, 1);
                ge.setCoefficient(z[o], -1);
                MPConstraint le = solver.makeConstraint(-MPSolver.infinity(), -zl[o]); // h - z - l a <= -l
                le.setCoefficient(v, 1);
                le.setCoefficient(z[o], -1);
                le.setCoefficient(a, -zl[o]);
                MPConstraint on = solver.makeConstraint(-MPSolver.infinity(), 0); // h - u a <= 0
                on.setCoefficient(v, 1);
                on.setCoefficient(a, -zu[o]);
                h[o] = v;
            }
        }
        return h;
    }
}
