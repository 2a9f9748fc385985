package dev.engram.model;

/** Element-wise activation applied after a dense layer. */
public enum Activation {
    IDENTITY, RELU, SIGMOID, TANH, LEAKY_RELU;

    /** Applies this activation to one value ({@code alpha} is used by LEAKY_RELU only). */
    public double apply(double v, double alpha) {
        return switch (this) {
            case IDENTITY -> v;
            case RELU -> v > 0 ? v : 0;
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-v));
            case TANH -> Math.tanh(v);
            case LEAKY_RELU -> v > 0 ? v : alpha * v;
        };
    }
}
