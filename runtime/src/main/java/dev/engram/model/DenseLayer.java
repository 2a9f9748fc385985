package dev.engram.model;

import java.util.Objects;

/**
 * One dense layer {@code y = act(W x + b)} of a {@link DenseNetwork}.
 *
 * <p>{@code weight} is row-major {@code [out][in]} (the NNet/PyTorch orientation; ONNX MatMul stores the transpose).
 * {@code weightRef}/{@code biasRef} name the model tensors the values came from, so that lowerings can express
 * their edits as patches on the original file; they are {@code null} for synthetic layers.
 * Arrays are treated as immutable: never mutate them after construction, copy instead.
 */
public record DenseLayer(String name, float[][] weight, float[] bias, Activation activation, double alpha,
                         TensorRef weightRef, TensorRef biasRef) {

    public DenseLayer {
        Objects.requireNonNull(name);
        Objects.requireNonNull(weight);
        Objects.requireNonNull(bias);
        Objects.requireNonNull(activation);
        if (weight.length != bias.length) {
            throw new IllegalArgumentException("layer " + name + ": " + weight.length + " rows but "
                    + bias.length + " biases");
        }
    }

    /** Names of layers a lowering inserts into a model's chain start with this. */
    public static final String INSERTED = "engram.inserted";

    /**
     * A new layer a lowering inserts between two layers of a model (written into the model file as new nodes and
     * initializers, every existing one untouched).
     */
    public static DenseLayer inserted(String name, float[][] weight, float[] bias, Activation activation) {
        return new DenseLayer(INSERTED + "." + name, weight, bias, activation, 0.01, null, null);
    }

    /** True for a layer a lowering inserted ({@link #inserted}), which the model file does not have yet. */
    public boolean isInserted() {
        return name.startsWith(INSERTED) && weightRef == null && biasRef == null;
    }

    /** A layer with no provenance. */
    public static DenseLayer of(String name, float[][] weight, float[] bias, Activation activation) {
        return new DenseLayer(name, weight, bias, activation, 0.01, null, null);
    }

    public int inputSize() {
        return weight.length == 0 ? 0 : weight[0].length;
    }

    public int outputSize() {
        return bias.length;
    }

    /**
     * Where a layer's parameter lives in the source model: the initializer's name, whether it is stored transposed
     * ({@code [in][out]}, as ONNX MatMul weights are) relative to {@link DenseLayer#weight()}, and the factor the
     * stored values are multiplied by in the model ({@code scale}: ONNX Gemm's alpha for a weight, 1 elsewhere), so
     * that a value written into the layer is stored divided by it.
     */
    public record TensorRef(String tensorName, boolean transposed, float scale) {
        public TensorRef(String tensorName, boolean transposed) {
            this(tensorName, transposed, 1f);
        }
    }
}
