package dev.engram.verify;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;

import java.math.BigDecimal;
import java.util.List;

/**
 * An independent oracle for the network as executed in float32, written without the code under test: it evaluates
 * a dense network with float arithmetic in several summation orders (each a legitimate float32 execution: ONNX
 * Runtime, our executor, SIMD lanes, a GPU's fused multiply-adds) and in exact real arithmetic, and searches an
 * input box densely for a float32 execution that lands in an unsafe set.
 */
final class Float32Oracle {
    /** The summation orders tried. */
    enum Order {
        /** {@code ((0 + p_0) + p_1) + ... + b}: the reference evaluation's order. */
        SEQUENTIAL,
        /** {@code ((b + p_0) + p_1) + ...}. */
        BIAS_FIRST,
        /** {@code ((0 + p_{n-1}) + ...) + p_0 + b}. */
        REVERSE,
        /** A balanced tree over {@code p_0 .. p_{n-1}, b}. */
        PAIRWISE,
        /** Eight interleaved partial sums combined at the end, as SIMD lanes do. */
        LANES,
        /** {@code fma(w_i, x_i, s)} from {@code s = b}: one rounding per term. */
        FMA,
        /** A fixed random permutation of the terms. */
        SHUFFLED
    }

    private Float32Oracle() {
    }

    static float[] evaluate(DenseNetwork net, float[] input, Order order) {
        float[] x = input;
        for (DenseLayer layer : net.layers()) {
            float[] y = new float[layer.outputSize()];
            for (int o = 0; o < y.length; o++) {
                float s = sum(layer.weight()[o], x, layer.bias()[o], order, o);
                y[o] = activate(layer, s);
            }
            x = y;
        }
        return x;
    }

    private static float activate(DenseLayer layer, float s) {
        return switch (layer.activation()) {
            case IDENTITY -> s;
            case RELU -> s > 0 ? s : 0f;
            case LEAKY_RELU -> s > 0 ? s : (float) (layer.alpha() * s);
            default -> throw new IllegalArgumentException("oracle: " + layer.activation());
        };
    }

    private static float sum(float[] w, float[] x, float b, Order order, int unit) {
        int n = w.length;
        switch (order) {
            case FMA: {
                float s = b;
                for (int i = 0; i < n; i++) {
                    s = Math.fma(w[i], x[i], s);
                }
                return s;
            }
            case BIAS_FIRST: {
                float s = b;
                for (int i = 0; i < n; i++) {
                    s += w[i] * x[i];
                }
                return s;
            }
            case REVERSE: {
                float s = 0f;
                for (int i = n - 1; i >= 0; i--) {
                    s += w[i] * x[i];
                }
                return s + b;
            }
            case PAIRWISE: {
                float[] t = new float[n + 1];
                for (int i = 0; i < n; i++) {
                    t[i] = w[i] * x[i];
                }
                t[n] = b;
                return tree(t, 0, n + 1);
            }
            case LANES: {
                float[] lane = new float[8];
                for (int i = 0; i < n; i++) {
                    lane[i & 7] += w[i] * x[i];
                }
                float s = ((lane[0] + lane[4]) + (lane[2] + lane[6])) + ((lane[1] + lane[5]) + (lane[3] + lane[7]));
                return s + b;
            }
            case SHUFFLED: {
                // the terms p_0 .. p_{n-1}, b visited in the order (offset + k * step) mod (n + 1), step coprime
                int m = n + 1;
                int step = 1;
                for (int c : new int[] {7919, 104729, 15485863, 7, 11, 13}) {
                    if (gcd(c % m, m) == 1) {
                        step = c % m;
                        break;
                    }
                }
                int at = unit % m;
                float s = 0f;
                for (int k = 0; k < m; k++) {
                    s += at == n ? b : w[at] * x[at];
                    at = (at + step) % m;
                }
                return s;
            }
            default: {
                float s = 0f;
                for (int i = 0; i < n; i++) {
                    s += w[i] * x[i];
                }
                return s + b;
            }
        }
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static float tree(float[] t, int from, int to) {
        if (to - from == 1) {
            return t[from];
        }
        int mid = (from + to) >>> 1;
        return tree(t, from, mid) + tree(t, mid, to);
    }

    /** The network in exact real arithmetic at a float input (ReLU and identity layers). */
    static BigDecimal[] exact(DenseNetwork net, float[] input) {
        BigDecimal[] x = new BigDecimal[input.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = new BigDecimal(input[i]);
        }
        for (DenseLayer layer : net.layers()) {
            BigDecimal[] y = new BigDecimal[layer.outputSize()];
            for (int o = 0; o < y.length; o++) {
                BigDecimal s = new BigDecimal(layer.bias()[o]);
                for (int i = 0; i < x.length; i++) {
                    s = s.add(new BigDecimal(layer.weight()[o][i]).multiply(x[i]));
                }
                if (layer.activation() == Activation.RELU && s.signum() < 0) {
                    s = BigDecimal.ZERO;
                } else if (layer.activation() != Activation.RELU && layer.activation() != Activation.IDENTITY) {
                    throw new IllegalArgumentException("oracle: exact " + layer.activation());
                }
                y[o] = s;
            }
            x = y;
        }
        return x;
    }

    /** {@code c · y}, exactly. */
    static BigDecimal dot(double[] c, float[] y) {
        BigDecimal s = BigDecimal.ZERO;
        for (int j = 0; j < c.length; j++) {
            s = s.add(new BigDecimal(c[j]).multiply(new BigDecimal(y[j])));
        }
        return s;
    }

    /** The outputs at {@code x} in every summation order. */
    static java.util.List<float[]> everyOrder(DenseNetwork net, float[] x) {
        java.util.List<float[]> ys = new java.util.ArrayList<>();
        for (Order order : Order.values()) {
            ys.add(evaluate(net, x, order));
        }
        return ys;
    }

    /**
     * The outputs at {@code n} points sampled in the box ({@link RandomNets#sample}, from {@code r}) that {@code keep}
     * accepts, each in every summation order: the executions a soundness property checks.
     */
    static List<float[]> sampledOutputs(DenseNetwork net, java.util.Random r, Box box, int n,
                                        java.util.function.Predicate<float[]> keep) {
        List<float[]> ys = new java.util.ArrayList<>();
        for (int s = 0; s < n; s++) {
            float[] x = RandomNets.sample(r, box);
            if (keep.test(x)) {
                ys.addAll(everyOrder(net, x));
            }
        }
        return ys;
    }

    /** True when {@code y} lies in the unsafe set of {@code p}, in exact arithmetic. */
    static boolean unsafe(Property p, float[] y) {
        double[] yd = new double[y.length];
        for (int j = 0; j < y.length; j++) {
            yd[j] = y[j];
        }
        return p.isUnsafeExactly(yd);
    }

    /** True when the exact real output at {@code x} lies in the unsafe set. */
    static boolean unsafeExactly(Property p, BigDecimal[] y) {
        for (List<LinearConstraint> conj : p.unsafe()) {
            boolean all = true;
            for (LinearConstraint c : conj) {
                BigDecimal s = new BigDecimal(c.bound());
                for (int j = 0; j < y.length; j++) {
                    s = s.subtract(new BigDecimal(c.coefficients()[j]).multiply(y[j]));
                }
                all &= s.signum() >= 0;
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** A float32 violation found by {@link #search}: the input, the order and the output. */
    record Violation(float[] input, Order order, float[] output, boolean realSafe) {
    }

    /**
     * Dense search of the box for a float32 execution in the unsafe set: a grid of {@code perAxis} points per input
     * (1 or 2 inputs), each point and its float neighbours, in every summation order. The first violation, or null.
     */
    static Violation search(DenseNetwork net, Property p, Box box, int perAxis) {
        int d = box.dimension();
        if (d > 2) {
            throw new IllegalArgumentException("dense search is for 1 or 2 inputs");
        }
        int total = d == 1 ? perAxis : perAxis * perAxis;
        for (int k = 0; k < total; k++) {
            float[] x = new float[d];
            int rest = k;
            for (int i = 0; i < d; i++) {
                int step = rest % perAxis;
                rest /= perAxis;
                double t = perAxis == 1 ? 0.5 : step / (double) (perAxis - 1);
                x[i] = inside(box.lo()[i] + t * (box.hi()[i] - box.lo()[i]), box, i);
            }
            for (int nb = 0; nb < 3; nb++) { // the point and its float neighbours along the first axis
                float[] xn = x.clone();
                xn[0] = inside(nb == 0 ? x[0] : nb == 1 ? Math.nextUp(x[0]) : Math.nextDown(x[0]), box, 0);
                for (Order order : Order.values()) {
                    float[] y = evaluate(net, xn, order);
                    if (unsafe(p, y)) {
                        return new Violation(xn, order, y, !unsafeExactly(p, exact(net, xn)));
                    }
                }
            }
        }
        return null;
    }

    /** {@code v} rounded to a float inside the box's range on axis {@code i}. */
    static float inside(double v, Box box, int i) {
        float f = (float) Math.min(box.hi()[i], Math.max(box.lo()[i], v));
        if (f < box.lo()[i]) {
            f = Math.nextUp(f);
        }
        if (f > box.hi()[i]) {
            f = Math.nextDown(f);
        }
        return f;
    }
}
