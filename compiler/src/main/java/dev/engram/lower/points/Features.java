package dev.engram.lower.points;

import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Bounds;

import java.util.List;

/**
 * What the output layer reads: the last hidden layer's values. For a point they are computed in float32 exactly as
 * the network runs (the layers before the output layer are not changed, so the written model computes the same
 * values); for a box they are sound bounds over every input of the box, in any float32 summation order
 * ({@link Bounds#linear}, then the layer's monotone activation).
 */
final class Features {
    private final DenseNetwork net;
    private final DenseNetwork hidden;

    private Features(DenseNetwork net, DenseNetwork hidden) {
        this.net = net;
        this.hidden = hidden;
    }

    /** The features of {@code net}: its layers but the last (none for a single-layer network: the inputs). */
    static Features of(DenseNetwork net) {
        List<DenseLayer> layers = net.layers();
        return new Features(net, layers.size() < 2 ? null : new DenseNetwork(layers.subList(0, layers.size() - 1)));
    }

    /** The features of one input, as float32 execution computes them. */
    float[] at(float[] x) {
        return hidden == null ? x.clone() : hidden.evaluate(x);
    }

    /** Sound bounds {@code [lo, hi]} of the features over {@code box}. */
    Box over(Box box) {
        if (hidden == null) {
            return box;
        }
        java.util.List<Box> layers = Bounds.linear(net, box).preActivation();
        Box pre = layers.get(layers.size() - 2);
        DenseLayer last = hidden.layers().get(hidden.layers().size() - 1);
        double[] lo = new double[pre.dimension()];
        double[] hi = new double[pre.dimension()];
        for (int i = 0; i < lo.length; i++) {
            lo[i] = last.activation().apply(pre.lo()[i], last.alpha());
            hi[i] = last.activation().apply(pre.hi()[i], last.alpha());
        }
        return new Box(lo, hi);
    }
}
