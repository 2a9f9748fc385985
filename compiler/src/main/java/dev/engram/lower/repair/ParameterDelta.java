package dev.engram.lower.repair;

/** A change of the output layer: {@code ΔW} ({@code m × n}) and {@code Δb} ({@code m}), in real arithmetic. */
record ParameterDelta(double[][] dw, double[] db) {

    /** How much the change can widen the output bounds on {@code s}: {@code Σ |ΔW_ji| (u_i - l_i)}. */
    double widening(Subdomain s) {
        double t = 0;
        for (double[] row : dw) {
            for (int i = 0; i < row.length; i++) {
                t += Math.abs(row[i]) * (s.hiddenHi()[i] - s.hiddenLo()[i]);
            }
        }
        return t;
    }
}
