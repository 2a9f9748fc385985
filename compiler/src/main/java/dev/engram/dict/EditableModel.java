package dev.engram.dict;

import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.FloatTensor;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.graph.DenseExtraction;
import dev.engram.model.onnx.OnnxModel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The dense network the lowerings edit in a loaded model: the model itself when it is a dense chain, the dense layers
 * of its dense head when it is a CNN ({@link GraphSplit}); and the model with an edited network written back. A CNN's
 * tail computes from the head's input (the features), not from the model's inputs: statements over learned concepts
 * (whose examples are tapped through the whole model) are lowered on it here; rules over the inputs reach the same
 * layers through the compiler's head split, which carries their regions through the prefix.
 */
public final class EditableModel {
    private EditableModel() {
    }

    /** The split of a model that is not a dense chain, or empty for a dense chain (the error of neither, thrown). */
    public static Optional<GraphSplit> split(LoadedModel model) {
        ModelException dense;
        try {
            model.dense();
            return Optional.empty();
        } catch (ModelException e) {
            dense = e;
        }
        if (!(model instanceof OnnxModel onnx)) {
            throw dense;
        }
        try {
            return Optional.of(GraphSplit.of(onnx));
        } catch (ModelException | IllegalArgumentException e) {
            throw new ModelException(dense.getMessage() + "; read as a graph: " + e.getMessage());
        }
    }

    /** The dense network lowerings edit: the model's own, or a CNN's dense tail. */
    public static DenseNetwork network(LoadedModel model) {
        return split(model).map(GraphSplit::network).orElseGet(model::dense);
    }

    /**
     * The model's input width: its dense chain's, or for any other graph (a CNN) its first input's per-sample size
     * (the raw input, not the tail's).
     */
    public static int inputSize(LoadedModel model) {
        try {
            return model.dense().inputSize();
        } catch (ModelException | IllegalArgumentException notDense) {
            return model.dag().shape(0).size();
        }
    }

    /** The model's output width, as {@link #inputSize}: its graph's first output's per-sample size. */
    public static int outputSize(LoadedModel model) {
        try {
            return model.dense().outputSize();
        } catch (ModelException | IllegalArgumentException notDense) {
            dev.engram.model.dag.Dag dag = model.dag();
            return dag.shape(dag.outputs().get(0).value()).size();
        }
    }

    /** {@link LoadedModel#withDense} for a dense chain; for a CNN, the tail's values into its initializers. */
    public static LoadedModel withNetwork(LoadedModel model, DenseNetwork net) {
        Optional<GraphSplit> s = split(model);
        if (s.isEmpty()) {
            return model.withDense(net);
        }
        return ((OnnxModel) model).withInitializers(tailInitializers(s.get().tail(), net, model.parameters()));
    }

    /**
     * The initializers holding the tail's layers, with {@code net}'s values (same shapes, Gemm's alpha/beta undone);
     * an entry whose value did not change keeps its stored bits ({@code stored}).
     */
    static Map<String, FloatTensor> tailInitializers(DenseExtraction tail, DenseNetwork net,
                                                    Map<String, FloatTensor> stored) {
        if (net.layers().size() != tail.layers().size() || net.layers().stream().anyMatch(DenseLayer::isInserted)) {
            throw new ModelException("a convolutional model's dense layers can be edited, not added to");
        }
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (int l = 0; l < net.layers().size(); l++) {
            DenseLayer d = net.layers().get(l);
            DenseLayer before = tail.network().layers().get(l);
            DenseExtraction.LayerSource src = tail.layers().get(l);
            if (d.inputSize() != before.inputSize() || d.outputSize() != before.outputSize()) {
                throw new ModelException("layer " + src.nodeName() + " changed shape: a convolutional model's dense"
                        + " layers keep their widths");
            }
            int in = d.inputSize();
            int o = d.outputSize();
            float[] w = stored.get(src.weightName()).data().clone();
            for (int r = 0; r < o; r++) {
                for (int c = 0; c < in; c++) {
                    if (Float.floatToRawIntBits(d.weight()[r][c]) != Float.floatToRawIntBits(before.weight()[r][c])) {
                        w[src.weightTransposed() ? c * o + r : r * in + c] = d.weight()[r][c] / src.alpha();
                    }
                }
            }
            out.put(src.weightName(), new FloatTensor(stored.get(src.weightName()).dims(), w));
            if (src.biasName() != null) {
                float[] b = stored.get(src.biasName()).data().clone();
                for (int r = 0; r < o; r++) {
                    if (Float.floatToRawIntBits(d.bias()[r]) != Float.floatToRawIntBits(before.bias()[r])) {
                        b[r] = d.bias()[r] / src.beta();
                    }
                }
                out.put(src.biasName(), new FloatTensor(stored.get(src.biasName()).dims(), b));
            } else if (!java.util.Arrays.equals(d.bias(), before.bias())) {
                throw new ModelException("layer " + src.nodeName() + " has no bias to edit");
            }
        }
        return out;
    }
}
