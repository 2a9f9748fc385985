package dev.engram.verify;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;

import java.util.List;
import java.util.Random;

/**
 * Networks and properties built to break a verifier that reasons in real arithmetic (Jia and Rinard, "Exploiting
 * verified neural networks via floating point numerical error", SAS 2021): outputs that are exactly constant in
 * real arithmetic but made of large cancelling activations ({@code relu(k(b·x + c)) − k·relu(b·x + c)}, exact in
 * reals for {@code k > 0}), few or very many of them (huge fan-in), at mixed scales, and random networks whose
 * threshold sits within rounding of their float32 maximum. Every case has one or two inputs, so the
 * {@link Float32Oracle} can search its box densely.
 */
final class AdversarialNets {
    private AdversarialNets() {
    }

    /** A network, its input box and a property over it; {@code kind} names the generator. */
    record Case(String kind, DenseNetwork net, Box box, Property property) {
    }

    /** One case; fan-in cases get 50 to {@code maxPairs} cancelling pairs (twice as many terms). */
    static Case generate(long seed, int maxPairs) {
        Random r = new Random(seed);
        return switch (r.nextInt(4)) {
            case 0 -> cancelling(r, "cancel", 1 + r.nextInt(8));
            case 1 -> cancelling(r, "fan-in", 50 + r.nextInt(Math.max(1, maxPairs - 50)));
            case 2 -> cancelling(r, "cancel-2d", 1 + r.nextInt(40));
            default -> nearMaximum(r);
        };
    }

    /**
     * {@code y = β + Σ_j relu(k_j (b_j·x + c_j)) − k_j relu(b_j·x + c_j)}: exactly {@code β} in real arithmetic
     * ({@code b_j}, {@code c_j} with short mantissas so {@code k_j b_j} is a float). Unsafe: {@code y} at least
     * {@code τ} away from {@code β} on one side, {@code τ} log-uniform across the float32 error's scale.
     */
    private static Case cancelling(Random r, String kind, int pairs) {
        int d = kind.endsWith("2d") ? 2 : 1;
        Box box = box(r, d);
        float[][] w1 = new float[2 * pairs][d];
        float[] b1 = new float[2 * pairs];
        float[][] w2 = new float[1][2 * pairs];
        double scale = 0;
        for (int j = 0; j < pairs; j++) {
            float k = 3 + 2 * r.nextInt(40); // odd: scaling by it rounds, unlike a power of two
            int e = -4 + r.nextInt(14);
            for (int i = 0; i < d; i++) {
                float b = (float) Math.scalb((double) (1 + r.nextInt(255)) * (r.nextBoolean() ? 1 : -1), e - 7);
                w1[2 * j][i] = k * b;
                w1[2 * j + 1][i] = b;
                scale += Math.abs(k * b) * Math.max(Math.abs(box.lo()[i]), Math.abs(box.hi()[i]));
            }
            float c = (float) Math.scalb((double) r.nextInt(255) - 127, e - 5);
            b1[2 * j] = k * c;
            b1[2 * j + 1] = c;
            w2[0][2 * j] = 1;
            w2[0][2 * j + 1] = -k;
        }
        float beta = r.nextBoolean() ? 0f : (float) r.nextGaussian();
        DenseNetwork net = new DenseNetwork(List.of(
                new DenseLayer("hidden", w1, b1, Activation.RELU, 0, null, null),
                new DenseLayer("out", w2, new float[] {beta}, Activation.IDENTITY, 0, null, null)));
        // from far below the float32 error to well above its bound (fan-in 2 pairs, relative 2^-24 per term)
        double top = Math.log(2.0 * pairs) / Math.log(2) + 8;
        double tau = scale * 0x1p-24 * Math.pow(2, -10 + (top + 10) * r.nextDouble());
        boolean above = r.nextBoolean();
        LinearConstraint c = above ? new LinearConstraint(new double[] {-1}, -(beta + tau))
                : new LinearConstraint(new double[] {1}, beta - tau);
        return new Case(kind, net, box, new Property(kind, InputRegion.of(box), List.of(List.of(c))));
    }

    /**
     * A random ReLU network with units at mixed scales (weights times {@code 10^[-3, 4]}), its output's threshold
     * placed within a few float32 errors of its sampled maximum (above or below).
     */
    private static Case nearMaximum(Random r) {
        int d = 1 + r.nextInt(2);
        Box box = box(r, d);
        DenseNetwork net = RandomNets.relu(r, d, 1, 2, 31, 1, -3, 4);
        double max = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < 4000; s++) {
            float[] x = new float[d];
            for (int i = 0; i < d; i++) {
                x[i] = Float32Oracle.inside(box.lo()[i] + r.nextDouble() * (box.hi()[i] - box.lo()[i]), box, i);
            }
            max = Math.max(max, net.evaluate(x)[0]);
        }
        double rel = r.nextInt(4) == 0 ? -16 * r.nextDouble() : Math.pow(2, -4 + 24 * r.nextDouble());
        double t = max + Math.abs(max) * 0x1p-24 * rel;
        Property p = new Property("near-max", InputRegion.of(box),
                List.of(List.of(new LinearConstraint(new double[] {-1}, -t))));
        return new Case("near-max", net, box, p);
    }

    private static Box box(Random r, int d) {
        double[] lo = new double[d];
        double[] hi = new double[d];
        for (int i = 0; i < d; i++) {
            double c = r.nextBoolean() ? 1 + 3 * r.nextDouble() : r.nextGaussian();
            double w = Math.pow(2, -6 + 7 * r.nextDouble());
            lo[i] = c - w;
            hi[i] = c + w;
        }
        return new Box(lo, hi);
    }
}
