package dev.engram.model.exec;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.kernel.Kernels;
import dev.engram.model.kernel.PackedMatrix;
import dev.engram.model.kernel.VectorKernel;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link DenseNetwork} on batches in float32 semantics, bit-identical to {@link DenseNetwork#evaluate}:
 * per sample, each unit's sum is accumulated in input order, then the bias is added, then the activation.
 * Batches are processed in tiles of {@value #TILE} samples stored input-major, samples innermost; each layer runs on
 * its weights packed once per network ({@link PackedMatrix}: the Vector API kernel, else the scalar kernel with the
 * same results), ReLU inside it, other activations after it in double as the reference does. Batches may be split
 * over threads by tile. Thread-safe; buffers are per call, not per layer.
 */
public final class DenseExecutor {

    static final int TILE = 64;

    /** Whether the Vector API kernel is usable (JVM started with {@code --add-modules jdk.incubator.vector}). */
    static final boolean VECTOR = vectorAvailable();

    private static boolean vectorAvailable() {
        return Kernels.vector() && TILE % VectorKernel.CHUNK == 0;
    }

    /** Whether batches run on the Vector API kernel (else the scalar kernel; results are identical). */
    public static boolean vectorized() {
        return VECTOR;
    }

    /** A description of the vector kernel's shape, e.g. {@code "512-bit, 4 outputs x 64 samples"}. */
    public static String vectorShape() {
        return VECTOR ? VectorKernel.S.vectorBitSize() + "-bit, " + VectorKernel.OB + " outputs x "
                + VectorKernel.CHUNK + " samples, tile " + TILE : "scalar";
    }

    private final DenseNetwork network;
    private final PackedMatrix[] layers;
    private final int maxWidth;
    private final boolean vector;

    public DenseExecutor(DenseNetwork network) {
        this(network, true);
    }

    /** An executor that may use the Vector API kernel only when {@code allowVector} (results are identical). */
    public DenseExecutor(DenseNetwork network, boolean allowVector) {
        this.network = network;
        this.vector = VECTOR && allowVector;
        int n = network.layers().size();
        layers = new PackedMatrix[n];
        int mw = network.inputSize();
        for (int l = 0; l < n; l++) {
            DenseLayer d = network.layers().get(l);
            int in = d.inputSize();
            int out = d.outputSize();
            mw = Math.max(mw, out);
            float[] w = new float[in * out];
            for (int o = 0; o < out; o++) {
                System.arraycopy(d.weight()[o], 0, w, o * in, in);
            }
            layers[l] = PackedMatrix.of(w, out, in, d.bias(), vector);
        }
        maxWidth = mw;
    }

    public DenseNetwork network() {
        return network;
    }

    /** The activations of every layer for one input: {@code pre.get(l)} before and {@code post.get(l)} after
     * layer l's activation function ({@code post} of the last layer is the output). */
    public record Taps(float[] input, List<float[]> pre, List<float[]> post) {
        public float[] output() {
            return post.get(post.size() - 1);
        }
    }

    /** Runs one input. */
    public float[] run(float[] input) {
        return run(input, 1);
    }

    /** Runs a batch given row-major {@code [batch][inputSize]}; returns row-major {@code [batch][outputSize]}. */
    public float[] run(float[] inputs, int batch) {
        return run(inputs, batch, 1);
    }

    /**
     * Runs a batch as {@link #run(float[], int)} on up to {@code threads} threads (the calling thread included),
     * each taking a contiguous range of sample tiles; results do not depend on the thread count.
     */
    public float[] run(float[] inputs, int batch, int threads) {
        int in0 = network.inputSize();
        if (inputs.length != batch * in0) {
            throw new IllegalArgumentException("expected " + batch + "x" + in0 + " inputs, got " + inputs.length);
        }
        float[] result = new float[batch * network.outputSize()];
        Tiles.parallel((batch + TILE - 1) / TILE, threads, (from, to) -> runTiles(inputs, batch, result, from, to));
        return result;
    }

    /** Runs tiles [fromTile, toTile) of the batch into {@code result}, with buffers of its own. */
    private void runTiles(float[] inputs, int batch, float[] result, int fromTile, int toTile) {
        int in0 = network.inputSize();
        int outN = network.outputSize();
        float[] a = new float[maxWidth * TILE];
        float[] b = new float[maxWidth * TILE];
        float[] tail = new float[PackedMatrix.TAIL];
        for (int tile = fromTile; tile < toTile; tile++) {
            int start = tile * TILE;
            int t = Math.min(TILE, batch - start);
            for (int s = 0; s < t; s++) {
                int r = (start + s) * in0;
                for (int i = 0; i < in0; i++) {
                    a[i * TILE + s] = inputs[r + i];
                }
            }
            if (vector && t < TILE) {
                // unused lanes of the last tile: zeros (lanes are independent; these are never read back)
                for (int i = 0; i < in0; i++) {
                    java.util.Arrays.fill(a, i * TILE + t, (i + 1) * TILE, 0f);
                }
            }
            float[] x = a;
            float[] y = b;
            for (int l = 0; l < layers.length; l++) {
                layer(l, x, y, vector ? TILE : t, tail);
                float[] tmp = x;
                x = y;
                y = tmp;
            }
            for (int s = 0; s < t; s++) {
                int r = (start + s) * outN;
                for (int o = 0; o < outN; o++) {
                    result[r + o] = x[o * TILE + s];
                }
            }
        }
    }

    /** Layer l on the first {@code n} lanes: sums, bias and ReLU in the kernel, other activations after it. */
    private void layer(int l, float[] x, float[] y, int n, float[] tail) {
        DenseLayer d = network.layers().get(l);
        Activation act = d.activation();
        layers[l].apply(x, 0, TILE, y, 0, TILE, n, act == Activation.RELU, tail);
        if (act != Activation.RELU && act != Activation.IDENTITY) {
            // the kernel stored sum + bias; other activations are applied here in double as the reference does
            for (int o = 0; o < d.outputSize(); o++) {
                int yo = o * TILE;
                for (int s = 0; s < n; s++) {
                    y[yo + s] = (float) act.apply(y[yo + s], d.alpha());
                }
            }
        }
    }

    /** Runs a batch of rows. */
    public float[][] run(float[][] inputs) {
        int in0 = network.inputSize();
        float[] flat = new float[inputs.length * in0];
        for (int s = 0; s < inputs.length; s++) {
            if (inputs[s].length != in0) {
                throw new IllegalArgumentException("row " + s + " has " + inputs[s].length + " values, expected " + in0);
            }
            System.arraycopy(inputs[s], 0, flat, s * in0, in0);
        }
        float[] r = run(flat, inputs.length);
        int outN = network.outputSize();
        float[][] out = new float[inputs.length][outN];
        for (int s = 0; s < inputs.length; s++) {
            System.arraycopy(r, s * outN, out[s], 0, outN);
        }
        return out;
    }

    /** Runs one input and records every layer's activations. */
    public Taps runWithTaps(float[] input) {
        if (input.length != network.inputSize()) {
            throw new IllegalArgumentException("expected " + network.inputSize() + " inputs, got " + input.length);
        }
        float[] x = new float[maxWidth * TILE];
        float[] y = new float[maxWidth * TILE];
        float[] tail = new float[PackedMatrix.TAIL];
        for (int i = 0; i < input.length; i++) {
            x[i * TILE] = input[i];
        }
        List<float[]> pre = new ArrayList<>();
        List<float[]> post = new ArrayList<>();
        for (int l = 0; l < layers.length; l++) {
            DenseLayer d = network.layers().get(l);
            layers[l].apply(x, 0, TILE, y, 0, TILE, 1, false, tail);
            float[] p = new float[d.outputSize()];
            float[] q = new float[d.outputSize()];
            for (int o = 0; o < p.length; o++) {
                p[o] = y[o * TILE];
                q[o] = d.activation() == Activation.RELU ? (p[o] > 0f ? p[o] : 0f)
                        : (float) d.activation().apply(p[o], d.alpha());
                y[o * TILE] = q[o];
            }
            pre.add(p);
            post.add(q);
            float[] tmp = x;
            x = y;
            y = tmp;
        }
        return new Taps(input.clone(), pre, post);
    }
}
