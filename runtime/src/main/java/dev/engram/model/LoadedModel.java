package dev.engram.model;

import dev.engram.model.dag.Dag;
import dev.engram.model.dag.Dags;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model read from a file (ONNX, NNet or TorchScript), kept whole so that it can be written back with edits.
 * Values, not mutation: every {@code with...} returns a new model and never touches the source file.
 */
public interface LoadedModel {

    ModelFormat format();

    /** The file the model was read from, or null for models built in memory. */
    Path source();

    /** The feed-forward view of the model (exactly what it computes: a normalising output such as Softmax is
     * refused, not dropped), with {@link DenseLayer.TensorRef}s into {@link #parameters()}. */
    DenseNetwork dense();

    /**
     * The model as a graph of operators, as it runs (batch norms folded into the layers before them): the general
     * form of {@link #dense()}, for models that are not dense chains. By default, the dense network as a graph.
     */
    default Dag dag() {
        return Dags.of(dense());
    }

    /**
     * The dense head: the trailing chain of dense layers that computes the output from {@link #headInput()}. For a
     * dense chain it is {@link #dense()} and reads the model's input; for a graph that is not one (convolutions,
     * pooling) it reads the output of the last operator that is not dense, and what comes before (the prefix) is
     * not part of it.
     */
    default DenseNetwork head() {
        return dense();
    }

    /** The name of the value the head reads: the model's input for a dense chain. */
    default String headInput() {
        return inputNames().get(0);
    }

    /** This model with the head's values written back ({@link #withDense} for a dense chain); the prefix kept. */
    default LoadedModel withHead(DenseNetwork network) {
        return withDense(network);
    }

    /** Every float parameter tensor by name, in file order: what patches edit. */
    Map<String, FloatTensor> parameters();

    /** This model with some parameters replaced (shapes may change: dependent shape records are updated). */
    LoadedModel withParameters(Map<String, FloatTensor> changed);

    /**
     * This model with the dense network's values written into the tensors it came from: the same layers, hidden
     * layers possibly wider, plus any {@link DenseLayer#isInserted() inserted} ReLU layers (new nodes; ONNX and NNet
     * only). Every parameter entry the network did not change keeps its stored bits.
     */
    LoadedModel withDense(DenseNetwork network);

    /** The serialized model (what {@link #write(Path)} writes). */
    byte[] toBytes();

    /** Writes the model atomically (temporary file + rename). */
    void write(Path out);

    /** SHA-256 (hex) of the model: of the source file's bytes when unmodified, else of {@link #toBytes()}. */
    String sha256();

    /** Non-fatal findings of the loader (NaN/Inf weights, ...). */
    List<String> warnings();

    /** Names of the model's inputs and outputs. */
    List<String> inputNames();

    List<String> outputNames();
}
