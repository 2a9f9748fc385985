package dev.engram.model.graph;

import dev.engram.model.DenseNetwork;

import java.util.List;

/**
 * The result of reading a feed-forward graph as a {@link DenseNetwork}, with what is needed to write edited
 * values back: per layer, the tensors and the intermediate value names whose last dimension is the layer width.
 *
 * @param inputOffset   constant subtracted from the input before the first layer (folded into its bias), or null
 */
public record DenseExtraction(DenseNetwork network, float[] inputOffset, List<LayerSource> layers,
                              String inputName, String outputName) {

    /**
     * Where one dense layer lives in the graph.
     *
     * @param weightName       initializer holding the weight
     * @param weightTransposed stored as {@code [in][out]} (MatMul, Gemm transB=0)
     * @param biasName         initializer holding the bias, or null when the layer has none
     * @param biasDims         the stored bias dims ({@code [out]} or {@code [1,out]})
     * @param alpha            Gemm alpha (weights are stored divided by it)
     * @param beta             Gemm beta
     * @param values           graph values whose last dimension equals the layer's output size
     */
    public record LayerSource(String nodeName, String weightName, boolean weightTransposed, String biasName,
                              long[] biasDims, float alpha, float beta, List<String> values) {
    }
}
