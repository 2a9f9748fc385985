package dev.engram.lower.repair;

/**
 * A minimal linear-programming interface, the only linear algebra the repair needs: bounded variables with
 * costs, ranged rows {@code lo <= a·x <= hi}, minimisation. Rows may be added or relaxed between solves.
 * Implementations: {@link GlopProgram} (OR-Tools GLOP).
 */
public interface LinearProgram extends AutoCloseable {

    /** Adds a variable {@code lo <= x <= hi} with objective coefficient {@code cost}; returns its index. */
    int variable(double lo, double hi, double cost);

    /** Adds the row {@code lo <= sum coefs[k] x[vars[k]] <= hi}; returns its index. Infinite bounds are allowed. */
    int row(double lo, double hi, int[] vars, double[] coefs);

    /** Makes row {@code r} always satisfied (used to drop a row superseded by tighter ones). */
    void relax(int r);

    /** Minimises the objective within {@code seconds}. */
    Solution solve(double seconds);

    @Override
    void close();

    /** The outcome of one solve: {@code values} per variable (empty unless a solution was found). */
    record Solution(Status status, double[] values, double objective) {
        public Solution {
            values = values.clone();
        }

        public boolean found() {
            return status == Status.OPTIMAL || status == Status.FEASIBLE;
        }
    }

    /** Solver status. */
    enum Status { OPTIMAL, FEASIBLE, INFEASIBLE, UNBOUNDED, FAILED }

    /** The default implementation (GLOP). */
    static LinearProgram create() {
        return new GlopProgram();
    }
}
