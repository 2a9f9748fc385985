package dev.engram.model.exec;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.kernel.Kernels;
import dev.engram.model.kernel.VectorKernel;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link DenseNetwork} on batches in float32 semantics, bit-identical to {@link DenseNetwork#evaluate}:
 * per sample, each unit's sum is accumulated in input order, then the bias is added, then the activation.
 * Batches are processed in tiles of {@value #TILE} samples stored input-major, samples innermost; with the Vector API
 * each layer runs on weights packed once per network ({@link VectorKernel}), else on a scalar kernel with the same
 * results. Batches may be split over threads by tile. Thread-safe; buffers are per call, not per layer.
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
    private final float[][] weights; // per layer, [out*in] row-major
    private final int[] ins;
    private final int[] outs;
    private final int maxWidth;
    private final boolean vector;
    private final float[][] packed; // per layer, [outPad/4][in][4] (vector kernel only)
    private final float[][] biasPad; // per layer, bias padded to outPad
    private final int[] outPads;
    private final int[] acts; // VectorKernel epilogue code per layer

    public DenseExecutor(DenseNetwork network) {
        this(network, true);
    }

    /** An executor that may use the Vector API kernel only when {@code allowVector} (results are identical). */
    public DenseExecutor(DenseNetwork network, boolean allowVector) {
        this.network = network;
        this.vector = VECTOR && allowVector;
        int n = network.layers().size();
        weights = new float[n][];
        ins = new int[n];
        outs = new int[n];
        int mw = network.inputSize();
        for (int l = 0; l < n; l++) {
            DenseLayer d = network.layers().get(l);
            ins[l] = d.inputSize();
            outs[l] = d.outputSize();
            mw = Math.max(mw, outs[l]);
            float[] w = new float[ins[l] * outs[l]];
            for (int o = 0; o < outs[l]; o++) {
                System.arraycopy(d.weight()[o], 0, w, o * ins[l], ins[l]);
            }
            weights[l] = w;
        }
        packed = new float[n][];
        biasPad = new float[n][];
        outPads = new int[n];
        acts = new int[n];
        int ob = VectorKernel.OB;
        for (int l = 0; l < n; l++) {
            DenseLayer d = network.layers().get(l);
            int in = ins[l];
            int op = (outs[l] + ob - 1) / ob * ob;
            outPads[l] = op;
            mw = Math.max(mw, op);
            float[] p = new float[op * in];
            for (int o = 0; o < outs[l]; o++) {
                float[] row = d.weight()[o];
                int base = (o / ob) * in * ob + o % ob;
                for (int i = 0; i < in; i++) {
                    p[base + i * ob] = row[i];
                }
            }
            packed[l] = p;
            biasPad[l] = java.util.Arrays.copyOf(d.bias(), op);
            acts[l] = d.activation() == Activation.RELU ? VectorKernel.ACT_RELU : VectorKernel.ACT_IDENTITY;
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
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive: " + threads);
        }
        float[] result = new float[batch * network.outputSize()];
        int tiles = (batch + TILE - 1) / TILE;
        int parts = Math.min(threads, tiles);
        if (parts <= 1) {
            runTiles(inputs, batch, result, 0, tiles);
            return result;
        }
        Thread[] workers = new Thread[parts - 1];
        Throwable[] failure = new Throwable[parts];
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) tiles * p / parts);
            int to = (int) ((long) tiles * (p + 1) / parts);
            int slot = p;
            workers[p - 1] = new Thread(() -> {
                try {
                    runTiles(inputs, batch, result, from, to);
                } catch (Throwable e) {
                    failure[slot] = e;
                }
            }, "engram-exec-" + p);
            workers[p - 1].start();
        }
        runTiles(inputs, batch, result, 0, tiles / parts);
        for (Thread t : workers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for executor threads", e);
            }
        }
        for (Throwable e : failure) {
            if (e != null) {
                throw new IllegalStateException("executor thread failed", e);
            }
        }
        return result;
    }

    /** Runs tiles [fromTile, toTile) of the batch into {@code result}, with buffers of its own. */
    private void runTiles(float[] inputs, int batch, float[] result, int fromTile, int toTile) {
        int in0 = network.inputSize();
        int outN = network.outputSize();
        float[] a = new float[maxWidth * TILE];
        float[] b = new float[maxWidth * TILE];
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
            for (int l = 0; l < weights.length; l++) {
                if (vector) {
                    vectorLayer(l, x, y, t);
                } else {
                    layer(l, x, y, t, null);
                }
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

    private void vectorLayer(int l, float[] x, float[] y, int t) {
        VectorKernel.layer(packed[l], biasPad[l], ins[l], outPads[l], x, y, TILE, acts[l]);
        DenseLayer d = network.layers().get(l);
        Activation act = d.activation();
        if (act != Activation.RELU && act != Activation.IDENTITY) {
            // the kernel stored sum + bias; other activations are applied here in double as the reference does
            for (int o = 0; o < outs[l]; o++) {
                int yo = o * TILE;
                for (int s = 0; s < t; s++) {
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
        for (int i = 0; i < input.length; i++) {
            x[i * TILE] = input[i];
        }
        List<float[]> pre = new ArrayList<>();
        List<float[]> post = new ArrayList<>();
        for (int l = 0; l < weights.length; l++) {
            float[] p = new float[outs[l]];
            layer(l, x, y, 1, p);
            float[] q = new float[outs[l]];
            for (int o = 0; o < q.length; o++) {
                q[o] = y[o * TILE];
            }
            pre.add(p);
            post.add(q);
            float[] tmp = x;
            x = y;
            y = tmp;
        }
        return new Taps(input.clone(), pre, post);
    }

    private void layer(int l, float[] x, float[] y, int t, float[] preTap) {
        float[] w = weights[l];
        int in = ins[l];
        int out = outs[l];
        DenseLayer d = network.layers().get(l);
        float[] bias = d.bias();
        Activation act = d.activation();
        float alpha = (float) d.alpha();
        for (int o = 0; o < out; o++) {
            int yo = o * TILE;
            int wo = o * in;
            int s0 = 0;
            // 8 samples at a time in independent accumulators (the JIT packs them into one vector); each
            // sample's sum still runs over the inputs in order, so results equal DenseNetwork.evaluate bit for bit
            for (; s0 + 8 <= t; s0 += 8) {
                float a0 = 0f;
                float a1 = 0f;
                float a2 = 0f;
                float a3 = 0f;
                float a4 = 0f;
                float a5 = 0f;
                float a6 = 0f;
                float a7 = 0f;
                for (int i = 0; i < in; i++) {
                    float wi = w[wo + i];
                    int b = i * TILE + s0;
                    a0 += wi * x[b];
                    a1 += wi * x[b + 1];
                    a2 += wi * x[b + 2];
                    a3 += wi * x[b + 3];
                    a4 += wi * x[b + 4];
                    a5 += wi * x[b + 5];
                    a6 += wi * x[b + 6];
                    a7 += wi * x[b + 7];
                }
                y[yo + s0] = a0;
                y[yo + s0 + 1] = a1;
                y[yo + s0 + 2] = a2;
                y[yo + s0 + 3] = a3;
                y[yo + s0 + 4] = a4;
                y[yo + s0 + 5] = a5;
                y[yo + s0 + 6] = a6;
                y[yo + s0 + 7] = a7;
            }
            for (; s0 < t; s0++) {
                float a = 0f;
                for (int i = 0; i < in; i++) {
                    a += w[wo + i] * x[i * TILE + s0];
                }
                y[yo + s0] = a;
            }
            float bo = bias[o];
            if (preTap != null) {
                preTap[o] = y[yo] + bo;
            }
            switch (act) {
                case RELU -> {
                    for (int s = 0; s < t; s++) {
                        float v = y[yo + s] + bo;
                        y[yo + s] = v > 0f ? v : 0f;
                    }
                }
                case IDENTITY -> {
                    for (int s = 0; s < t; s++) {
                        y[yo + s] = y[yo + s] + bo;
                    }
                }
                case LEAKY_RELU -> {
                    for (int s = 0; s < t; s++) {
                        float v = y[yo + s] + bo;
                        y[yo + s] = (float) act.apply(v, d.alpha());
                    }
                }
                default -> {
                    for (int s = 0; s < t; s++) {
                        y[yo + s] = (float) act.apply(y[yo + s] + bo, d.alpha());
                    }
                }
            }
        }
    }
}
