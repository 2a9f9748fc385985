package dev.engram.lower.repair;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import dev.engram.verify.bounds.BoundNetwork;

import java.util.ArrayList;
import java.util.List;

/**
 * The network as the repair sees it: the unchanged hidden part {@code h(x)} ({@code hiddenNet}, null when the
 * network is one affine layer and {@code h = x}), the affine output layer {@code y = W h + b} that the repair
 * changes, and the original network's sound bounds.
 */
record RepairTarget(DenseNetwork net, BoundNetwork bounds, DenseLayer output, DenseNetwork hiddenNet,
                    Activation hiddenAct, double hiddenAlpha) {

    /** Checks that {@code rules} can be repaired on {@code net}; a mismatch is an {@link IllegalArgumentException}. */
    static RepairTarget of(DenseNetwork net, List<Property> rules) {
        int layers = net.layers().size();
        DenseLayer out = net.layers().get(layers - 1);
        if (out.activation() != Activation.IDENTITY) {
            throw new IllegalArgumentException("repair needs an affine output layer; " + out.name() + " is "
                    + out.activation());
        }
        BoundNetwork bn = BoundNetwork.of(net);
        if (bn.unsupported() != null) {
            throw new IllegalArgumentException(bn.unsupported());
        }
        for (Property rule : rules) {
            for (List<LinearConstraint> conj : rule.unsafe()) {
                if (conj.isEmpty()) {
                    throw new IllegalArgumentException(rule.name() + ": an empty unsafe conjunction cannot be "
                            + "refuted");
                }
                for (LinearConstraint c : conj) {
                    if (c.coefficients().length != out.outputSize()) {
                        throw new IllegalArgumentException(rule.name() + ": constraint over "
                                + c.coefficients().length + " outputs, the network has " + out.outputSize());
                    }
                }
            }
        }
        if (layers < 2) {
            return new RepairTarget(net, bn, out, null, null, 0);
        }
        DenseLayer h = net.layers().get(layers - 2);
        return new RepairTarget(net, bn, out, new DenseNetwork(net.layers().subList(0, layers - 1)), h.activation(),
                h.alpha());
    }

    /** Outputs {@code m} (rows of {@code W}). */
    int outputs() {
        return output.outputSize();
    }

    /** Last hidden activations {@code n} (columns of {@code W}). */
    int hiddenUnits() {
        return output.inputSize();
    }

    /** The last hidden activations {@code h(x)}, evaluated in float32 as the network runs. */
    double[] hidden(float[] x) {
        float[] h = hiddenNet == null ? x : hiddenNet.evaluate(x);
        double[] d = new double[h.length];
        for (int i = 0; i < h.length; i++) {
            d[i] = h[i];
        }
        return d;
    }

    /** The network with {@code delta} added to the output layer, rounded to float32 where an entry changes. */
    DenseNetwork apply(ParameterDelta delta) {
        int m = outputs();
        int n = hiddenUnits();
        float[][] w = new float[m][];
        float[] b = new float[m];
        for (int j = 0; j < m; j++) {
            w[j] = output.weight()[j].clone();
            for (int i = 0; i < n; i++) {
                if (delta.dw()[j][i] != 0) {
                    w[j][i] = (float) (w[j][i] + delta.dw()[j][i]);
                }
            }
            b[j] = delta.db()[j] != 0 ? (float) (output.bias()[j] + delta.db()[j]) : output.bias()[j];
        }
        List<DenseLayer> layers = new ArrayList<>(net.layers());
        layers.set(layers.size() - 1, new DenseLayer(output.name(), w, b, output.activation(), output.alpha(),
                output.weightRef(), output.biasRef()));
        return new DenseNetwork(layers);
    }
}
