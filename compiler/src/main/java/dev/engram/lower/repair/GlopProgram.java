package dev.engram.lower.repair;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;

import java.util.ArrayList;
import java.util.List;

/** {@link LinearProgram} on OR-Tools' GLOP simplex solver. Not thread-safe; close it to free native memory. */
public final class GlopProgram implements LinearProgram {
    private static volatile boolean loaded;
    /** No presolve and the dual simplex: a re-solve after rows are added or relaxed starts from the last basis. */
    private static final String WARM = "use_preprocessing: false use_dual_simplex: true";
    /** GLOP's defaults (presolve, primal simplex) from scratch: the fallback when a warm solve fails. */
    private static final String COLD = "use_preprocessing: true use_dual_simplex: false";

    private final MPSolver solver;
    private final List<MPVariable> vars = new ArrayList<>();
    private final List<MPConstraint> rows = new ArrayList<>();

    GlopProgram() {
        load();
        solver = MPSolver.createSolver("GLOP");
        if (solver == null) {
            throw new IllegalStateException("OR-Tools GLOP is not available");
        }
        solver.objective().setMinimization();
        solver.setSolverSpecificParametersAsString(WARM);
    }

    private static synchronized void load() {
        if (!loaded) {
            Loader.loadNativeLibraries();
            loaded = true;
        }
    }

    private static double inf(double v) {
        if (v == Double.POSITIVE_INFINITY) {
            return MPSolver.infinity();
        }
        return v == Double.NEGATIVE_INFINITY ? -MPSolver.infinity() : v;
    }

    @Override
    public int variable(double lo, double hi, double cost) {
        MPVariable v = solver.makeNumVar(inf(lo), inf(hi), "x" + vars.size());
        if (cost != 0) {
            solver.objective().setCoefficient(v, cost);
        }
        vars.add(v);
        return vars.size() - 1;
    }

    @Override
    public int row(double lo, double hi, int[] idx, double[] coefs) {
        MPConstraint c = solver.makeConstraint(inf(lo), inf(hi), "r" + rows.size());
        for (int k = 0; k < idx.length; k++) {
            if (coefs[k] != 0) {
                c.setCoefficient(vars.get(idx[k]), coefs[k]);
            }
        }
        rows.add(c);
        return rows.size() - 1;
    }

    @Override
    public void relax(int r) {
        rows.get(r).setBounds(-MPSolver.infinity(), MPSolver.infinity());
    }

    @Override
    public Solution solve(double seconds) {
        solver.setTimeLimit(Math.max(1, (long) (seconds * 1000)));
        MPSolver.ResultStatus s = solver.solve();
        if (s != MPSolver.ResultStatus.OPTIMAL) {
            solver.reset();
            solver.setSolverSpecificParametersAsString(COLD);
            s = solver.solve();
            solver.setSolverSpecificParametersAsString(WARM);
        }
        Status st = switch (s) {
            case OPTIMAL -> Status.OPTIMAL;
            case FEASIBLE -> Status.FEASIBLE;
            case INFEASIBLE -> Status.INFEASIBLE;
            case UNBOUNDED -> Status.UNBOUNDED;
            default -> Status.FAILED;
        };
        if (st != Status.OPTIMAL && st != Status.FEASIBLE) {
            return new Solution(st, new double[0], Double.NaN);
        }
        double[] x = new double[vars.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = vars.get(i).solutionValue();
        }
        MPObjective o = solver.objective();
        return new Solution(st, x, o.value());
    }

    @Override
    public void close() {
        solver.delete();
    }
}
