package dev.engram.verify.graph;

/** {@code Sigmoid}: {@code 1 / (1 + e^-z)}, derivative {@code σ(1 − σ)}, second {@code σ(1 − σ)(1 − 2σ)}; relaxed by {@link SCurveBound}. */
final class SigmoidBound extends SCurveBound {

    SigmoidBound(int n) {
        super(n);
    }

    @Override
    public String type() {
        return "Sigmoid";
    }

    @Override
    double f(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Override
    double df(double z) {
        double s = f(z);
        return s * (1 - s);
    }

    @Override
    double d2f(double z) {
        double s = f(z);
        return s * (1 - s) * (1 - 2 * s);
    }
}
