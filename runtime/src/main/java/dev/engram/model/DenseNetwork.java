package dev.engram.model;

import java.util.List;

/**
 * A feed-forward network as a chain of dense layers: the canonical form the verifier and the lowerings work on.
 *
 * <p>Graphs of MatMul/Add/Gemm/activation (with Sub/Flatten/Reshape/Identity in front, folded away) convert to it.
 * Inputs and outputs are in <em>model units</em> (any normalisation is the caller's business).
 */
public record DenseNetwork(List<DenseLayer> layers) {

    public DenseNetwork {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        for (int i = 1; i < layers.size(); i++) {
            if (layers.get(i).inputSize() != layers.get(i - 1).outputSize()) {
                throw new IllegalArgumentException("layer " + layers.get(i).name() + " takes "
                        + layers.get(i).inputSize() + " inputs but the previous layer gives "
                        + layers.get(i - 1).outputSize());
            }
        }
    }

    public int inputSize() {
        return layers.get(0).inputSize();
    }

    public int outputSize() {
        return layers.get(layers.size() - 1).outputSize();
    }

    /**
     * Reference evaluation in float32 semantics (each layer's sums accumulated in float, as ONNX Runtime's
     * kernels do up to summation order). Fast paths live in the executor; this is the plain definition.
     */
    public float[] evaluate(float[] input) {
        if (input.length != inputSize()) {
            throw new IllegalArgumentException("expected " + inputSize() + " inputs, got " + input.length);
        }
        float[] x = input;
        for (DenseLayer layer : layers) {
            float[] y = new float[layer.outputSize()];
            for (int o = 0; o < y.length; o++) {
                float[] row = layer.weight()[o];
                float s = 0f;
                for (int i = 0; i < row.length; i++) {
                    s += row[i] * x[i];
                }
                y[o] = (float) layer.activation().apply(s + layer.bias()[o], layer.alpha());
            }
            x = y;
        }
        return x;
    }
}
