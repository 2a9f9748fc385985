package dev.engram.lower;

import dev.engram.model.DenseLayer;

/**
 * A parameter tensor a lowering changed: the layer (index into {@code DenseNetwork.layers()} and name), which of
 * its tensors, the model tensor it came from ({@code null} for layers without provenance) and how many entries
 * changed value.
 */
public record TouchedTensor(int layer, String layerName, Part part, String tensorName, int changed) {

    /** Which parameter of a dense layer. */
    public enum Part { WEIGHT, BIAS }

    static TouchedTensor of(int layer, DenseLayer d, Part part, int changed) {
        DenseLayer.TensorRef ref = part == Part.WEIGHT ? d.weightRef() : d.biasRef();
        return new TouchedTensor(layer, d.name(), part, ref == null ? null : ref.tensorName(), changed);
    }

    @Override
    public String toString() {
        return layerName + "." + part.name().toLowerCase(java.util.Locale.ROOT)
                + (tensorName == null ? "" : " (" + tensorName + ")") + ": " + changed + " changed";
    }
}
