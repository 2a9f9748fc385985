package dev.engram.verify.graph;

/** {@code Tanh}, derivative {@code 1 − tanh²}, second {@code −2 tanh (1 − tanh²)}; relaxed by {@link SCurveBound}. */
final class TanhBound extends SCurveBound {

    TanhBound(int n) {
        super(n);
    }

    @Override
    public String type() {
        return "Tanh";
    }

    @Override
    double f(double z) {
        return Math.tanh(z);
    }

    @Override
    double df(double z) {
        double t = Math.tanh(z);
        return 1 - t * t;
    }

    @Override
    double d2f(double z) {
        double t = Math.tanh(z);
        return -2 * t * (1 - t * t);
    }
}
