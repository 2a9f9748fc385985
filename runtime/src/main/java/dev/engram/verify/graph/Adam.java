package dev.engram.verify.graph;

/**
 * Adam ascent (β1 0.9, β2 0.999) over parameters laid out {@code [group][row][element]}, null groups skipped, each
 * element's step the rate times its scale (null: 1; rows may differ in length, a null gradient row takes no step):
 * {@link BetaCrown}'s projected ascent of slopes, tangent points
 * and multipliers (the projection is the caller's).
 */
final class Adam {
    private final double[][][] x;
    private final double[][][] mom;
    private final double[][][] vel;
    private final double rate;
    private final double[][][] scale;

    Adam(double[][][] x, double rate, double[][][] scale) {
        this.x = x;
        this.rate = rate;
        this.scale = scale;
        mom = new double[x.length][][];
        vel = new double[x.length][][];
        for (int v = 0; v < x.length; v++) {
            if (x[v] != null) {
                mom[v] = new double[x[v].length][];
                vel[v] = new double[x[v].length][];
                for (int r = 0; r < x[v].length; r++) {
                    mom[v][r] = new double[x[v][r].length];
                    vel[v][r] = new double[x[v][r].length];
                }
            }
        }
    }

    void ascend(double[][][] grad, int t) {
        double c1 = 1 - Math.pow(0.9, t);
        double c2 = 1 - Math.pow(0.999, t);
        for (int v = 0; v < x.length; v++) {
            if (x[v] == null) {
                continue;
            }
            for (int r = 0; r < x[v].length; r++) {
                double[] p = x[v][r];
                double[] gr = grad[v][r];
                if (gr == null) {
                    continue; // a row that takes no step
                }
                double[] mo = mom[v][r];
                double[] ve = vel[v][r];
                double[] sc = scale == null || scale[v] == null ? null : scale[v][r];
                for (int i = 0; i < p.length; i++) {
                    mo[i] = 0.9 * mo[i] + 0.1 * gr[i];
                    ve[i] = 0.999 * ve[i] + 0.001 * gr[i] * gr[i];
                    if (ve[i] > 0) {
                        double step = rate * (mo[i] / c1) / (Math.sqrt(ve[i] / c2) + 1e-12);
                        p[i] += sc == null ? step : step * sc[i];
                    }
                }
            }
        }
    }
}
