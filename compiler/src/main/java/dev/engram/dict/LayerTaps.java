package dev.engram.dict;

import dev.engram.model.DenseNetwork;
import dev.engram.model.exec.DenseExecutor;

import java.util.List;

/**
 * The activations of every layer of a network for a batch of inputs, computed layer by layer with the runtime's
 * executor (one single-layer executor per dense layer, so each layer runs on the fast batched kernel and its output
 * is the next one's input). Layer {@code 0} is the input, layer {@code L} the activations after the {@code L}-th
 * dense layer (so layers {@code 1 .. depth − 1} are the hidden layers and layer {@code depth} the outputs). Values are
 * bit-identical to {@link DenseNetwork#evaluate}. Immutable and thread-safe.
 */
public final class LayerTaps {
    private final DenseNetwork network;
    private final DenseExecutor[] executors;

    public LayerTaps(DenseNetwork network) {
        this.network = network;
        List<dev.engram.model.DenseLayer> layers = network.layers();
        executors = new DenseExecutor[layers.size()];
        for (int l = 0; l < executors.length; l++) {
            executors[l] = new DenseExecutor(new DenseNetwork(List.of(layers.get(l))));
        }
    }

    public DenseNetwork network() {
        return network;
    }

    /** The number of dense layers: activations exist for layers {@code 0 .. depth()}. */
    public int depth() {
        return executors.length;
    }

    /** The width of layer {@code l} (the input's width for {@code l = 0}). */
    public int width(int l) {
        return l == 0 ? network.inputSize() : network.layers().get(l - 1).outputSize();
    }

    /**
     * The activations of layers {@code 0 .. upTo} for rows {@code [0, size)} of {@code x}: {@code out[l][r]} is the
     * activation vector of row {@code r} at layer {@code l} ({@code out[0]} holds the input rows themselves).
     */
    public float[][][] run(float[][] x, int size, int upTo) {
        if (upTo < 0 || upTo > executors.length) {
            throw new IllegalArgumentException("layer " + upTo + " outside 0.." + executors.length);
        }
        float[][][] out = new float[upTo + 1][][];
        out[0] = size == x.length ? x : java.util.Arrays.copyOf(x, size);
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
        if (upTo < 0 || upTo > executors.length) {
            throw new IllegalArgumentException("layer " + upTo + " outside 0.." + executors.length);
        }
        float[][] out = new float[upTo + 1][];
        out[0] = x;
        for (int l = 1; l <= upTo; l++) {
            out[l] = executors[l - 1].run(out[l - 1], size);
        }
        return out;
    }

    /** The outputs of layers {@code from + 1 .. depth} applied to activations of layer {@code from}. */
    public float[][] runFrom(int from, float[][] activations) {
        float[][] cur = activations;
        for (int l = from; l < executors.length; l++) {
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
