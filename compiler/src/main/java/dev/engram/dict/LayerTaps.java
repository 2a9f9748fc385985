package dev.engram.dict;

import dev.engram.model.DenseNetwork;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.exec.DenseExecutor;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.model.onnx.OnnxModel;

import java.util.List;

/**
 * The activations of every layer of a network for a batch of inputs, computed layer by layer with the runtime's
 * executor (one single-layer executor per dense layer, so each layer runs on the fast batched kernel and its output
 * is the next one's input). Layer {@code 0} is the input, layer {@code L} the activations after the {@code L}-th
 * dense layer (so layers {@code 1 .. depth − 1} are the hidden layers and layer {@code depth} the outputs). Values are
 * bit-identical to {@link DenseNetwork#evaluate}. Immutable and thread-safe.
 *
 * <p>A model that is not a dense chain (a CNN) is tapped through its {@link GraphSplit}: layers {@code 1 .. c} are the
 * prefix's taps (the values after each ReLU and pool, in graph order; tap {@code c} is the dense tail's input, the
 * model's dense head's), computed in one run of the graph executor, and layers {@code c + 1 .. c + D} the tail's dense layers.
 * {@link #network()} is then the tail, and {@link #offset()} is {@code c}: only layers from {@code c} on have a dense
 * next layer, so only they can be edited.
 */
public final class LayerTaps {
    private final DenseNetwork network;
    private final DenseExecutor[] executors;
    private final GraphSplit split;
    private final GraphExecutor prefix;
    private final int offset;

    public LayerTaps(DenseNetwork network) {
        this(network, null);
    }

    /** Taps on a split graph: the prefix's taps, then its dense tail's layers. */
    public LayerTaps(GraphSplit split) {
        this(split.network(), split);
    }

    private LayerTaps(DenseNetwork network, GraphSplit split) {
        this.network = network;
        this.split = split;
        this.prefix = split == null ? null : new GraphExecutor(split.prefix());
        this.offset = split == null ? 0 : split.taps().size();
        List<dev.engram.model.DenseLayer> layers = network.layers();
        executors = new DenseExecutor[layers.size()];
        for (int l = 0; l < executors.length; l++) {
            executors[l] = new DenseExecutor(new DenseNetwork(List.of(layers.get(l))));
        }
    }

    /**
     * The taps of a loaded model: its dense chain when it is one, else (an ONNX graph such as a CNN) its split at the
     * start of the dense layers it ends with.
     */
    public static LayerTaps of(LoadedModel model) {
        ModelException dense;
        try {
            return new LayerTaps(model.dense());
        } catch (ModelException e) {
            dense = e;
        }
        if (!(model instanceof OnnxModel onnx)) {
            throw dense;
        }
        try {
            return new LayerTaps(GraphSplit.of(onnx));
        } catch (ModelException e) {
            throw new ModelException(dense.getMessage() + "; as a graph: " + e.getMessage());
        }
    }

    /** The dense network the layers after {@link #offset()} belong to (the whole model for a dense chain). */
    public DenseNetwork network() {
        return network;
    }

    /** The split of a graph model, or null for a dense chain. */
    public GraphSplit split() {
        return split;
    }

    /** The layer that is the dense network's input: {@code 0} for a dense chain, the head's input for a CNN. */
    public int offset() {
        return offset;
    }

    /** The model's input width (the raw input, also for a CNN). */
    public int inputSize() {
        return prefix == null ? network.inputSize() : prefix.inputSize();
    }

    /** The model's output width. */
    public int outputSize() {
        return network.outputSize();
    }

    /** The layers: activations exist for layers {@code 0 .. depth()}. */
    public int depth() {
        return offset + executors.length;
    }

    /** The width of layer {@code l} (the input's width for {@code l = 0}). */
    public int width(int l) {
        if (l == 0) {
            return inputSize();
        }
        return l <= offset ? split.taps().get(l - 1).width() : network.layers().get(l - offset - 1).outputSize();
    }

    /** What layer {@code l} is, for tables: "input", "Relu conv1.relu", "dense 2", ... */
    public String describe(int l) {
        if (l == 0) {
            return "input";
        }
        if (l <= offset) {
            GraphSplit.Tap t = split.taps().get(l - 1);
            return t.op() + " " + t.value();
        }
        return "dense " + (l - offset);
    }

    /**
     * The activations of layers {@code 0 .. upTo} for rows {@code [0, size)} of {@code x}: {@code out[l][r]} is the
     * activation vector of row {@code r} at layer {@code l} ({@code out[0]} holds the input rows themselves).
     */
    public float[][][] run(float[][] x, int size, int upTo) {
        if (upTo < 0 || upTo > depth()) {
            throw new IllegalArgumentException("layer " + upTo + " outside 0.." + depth());
        }
        float[][][] out = new float[upTo + 1][][];
        out[0] = size == x.length ? x : java.util.Arrays.copyOf(x, size);
        if (prefix != null) {
            int w0 = inputSize();
            float[] flat = new float[size * w0];
            for (int r = 0; r < size; r++) {
                System.arraycopy(x[r], 0, flat, r * w0, w0);
            }
            float[][] acts = runFlat(flat, size, upTo);
            for (int l = 1; l <= upTo; l++) {
                int w = width(l);
                out[l] = new float[size][];
                for (int r = 0; r < size; r++) {
                    out[l][r] = java.util.Arrays.copyOfRange(acts[l], r * w, (r + 1) * w);
                }
            }
            return out;
        }
        for (int l = 1; l <= upTo; l++) {
            out[l] = step(l - 1, out[l - 1], size);
        }
        return out;
    }

    /**
     * As {@link #run}, with rows stored flat: {@code x} holds rows {@code [0, size)} row-major, and {@code out[l]}
     * the activations of layer {@code l} row-major ({@code out[0]} is {@code x} itself). No per-row arrays: the way
     * the dictionary's pass taps every chunk.
     */
    public float[][] runFlat(float[] x, int size, int upTo) {
        if (upTo < 0 || upTo > depth()) {
            throw new IllegalArgumentException("layer " + upTo + " outside 0.." + depth());
        }
        float[][] out = new float[upTo + 1][];
        out[0] = x;
        int from = 1;
        if (prefix != null && upTo > 0) {
            List<float[]> t = prefix.runAll(List.of(x), size, 1);
            for (int l = 1; l <= Math.min(upTo, offset); l++) {
                out[l] = t.get(l - 1);
            }
            from = offset + 1;
        }
        for (int l = from; l <= upTo; l++) {
            out[l] = executors[l - offset - 1].run(out[l - 1], size);
        }
        return out;
    }

    /** The outputs of layers {@code from + 1 .. depth} applied to activations of layer {@code from}. */
    public float[][] runFrom(int from, float[][] activations) {
        if (prefix != null && from < offset) {
            if (from != 0) {
                throw new IllegalArgumentException("layer " + from + " is inside the convolutional prefix: runs start"
                        + " at the input or at layer " + offset + " or later");
            }
            return run(activations, activations.length, depth())[depth()];
        }
        float[][] cur = activations;
        for (int l = from - offset; l < executors.length; l++) {
            cur = step(l, cur, cur.length);
        }
        return cur;
    }

    /** Dense layer {@code l} (0-based) on rows {@code [0, size)} of {@code in}. */
    private float[][] step(int l, float[][] in, int size) {
        int w = network.layers().get(l).inputSize();
        int o = network.layers().get(l).outputSize();
        float[] flat = new float[size * w];
        for (int r = 0; r < size; r++) {
            System.arraycopy(in[r], 0, flat, r * w, w);
        }
        float[] y = executors[l].run(flat, size);
        float[][] out = new float[size][o];
        for (int r = 0; r < size; r++) {
            System.arraycopy(y, r * o, out[r], 0, o);
        }
        return out;
    }
}
