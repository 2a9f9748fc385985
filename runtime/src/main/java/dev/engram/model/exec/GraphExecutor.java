package dev.engram.model.exec;

import dev.engram.model.dag.Conv;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.Op;
import dev.engram.model.dag.Relu;
import dev.engram.model.dag.ReluEpilogue;
import dev.engram.model.dag.Reshape;
import dev.engram.model.dag.Scratch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a {@link Dag} in float32 on batches. The batch is cut into tiles of up to {@value #TILE} samples; within a
 * tile every value is stored in the tile layout of {@link Op} (samples innermost), operators run one after the other,
 * each on the matrix kernels where it multiplies. A plan made once per DAG assigns the values to reused buffers
 * (a buffer is free again after the last read of its value), lets reshapes share their argument's buffer, and runs
 * a ReLU that alone reads a product's result inside that product. Tiles may be split over threads; results do not
 * depend on the thread count. Thread-safe.
 */
public final class GraphExecutor {

    /** Samples per tile (fewer when a sample's values are very large). */
    public static final int TILE = 64;
    /** Floats of buffers per thread beyond which tiles get fewer samples. */
    private static final long BUFFER_FLOATS = 64L << 20;

    /** One operator run: reads buffers {@code args}, writes buffer {@code out}. */
    private record Step(Op op, int[] args, int out, boolean relu) {
    }

    private final Dag dag;
    private final int lanes;
    private final List<Step> steps = new ArrayList<>();
    private final int[] slotOfValue;
    private final int[] slotSizes; // floats per buffer (per-sample size x lanes)

    /** An executor with {@value #TILE} samples per tile (fewer when a sample's values are very large). */
    public GraphExecutor(Dag dag) {
        this(dag, TILE);
    }

    /**
     * An executor with up to {@code lanes} samples per tile. Results are the same for any lane count: every
     * operator computes each sample alone, in the same order.
     */
    public GraphExecutor(Dag dag, int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be positive: " + lanes);
        }
        this.dag = dag;
        int values = dag.valueCount();
        boolean[] relu = new boolean[values];
        int[] root = roots(dag, relu);
        int[] end = ends(dag, root);
        long perLane = 0;
        long patch = 0;
        for (int v = 0; v < values; v++) {
            perLane += root[v] == v ? dag.shape(v).size() : 0;
            Dag.Node n = dag.producer(v);
            if (n != null && n.op() instanceof Conv c) {
                patch = Math.max(patch, (long) c.patchPerLane() * Math.max(1, 64 / lanes));
            }
        }
        perLane += patch;
        this.lanes = (int) Math.max(1, Math.min(lanes, BUFFER_FLOATS / Math.max(1, perLane)));
        slotOfValue = new int[values];
        List<Integer> sizes = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        int[] slotEnd = new int[values];
        for (int v = 0; v < values; v++) {
            if (root[v] != v) {
                slotOfValue[v] = slotOfValue[root[v]];
                continue;
            }
            int need = dag.shape(v).size() * lanes;
            int best = -1;
            for (int i = 0; i < free.size(); i++) { // the smallest free buffer that fits, else a new one
                int s = free.get(i);
                if (sizes.get(s) >= need && (best < 0 || sizes.get(s) < sizes.get(free.get(best)))) {
                    best = i;
                }
            }
            int slot = best >= 0 ? free.remove(best) : sizes.size();
            if (best < 0) {
                sizes.add(need);
            }
            slotOfValue[v] = slot;
            slotEnd[slot] = end[v];
            Dag.Node n = dag.producer(v);
            if (n != null) {
                int[] args = n.args();
                for (int i = 0; i < args.length; i++) {
                    args[i] = slotOfValue[args[i]];
                }
                steps.add(new Step(n.op(), args, slot, relu[v]));
            }
            for (int s = 0; s < sizes.size(); s++) { // buffers whose values are read for the last time by v
                if (slotEnd[s] == v && !free.contains(s) && s != slot) {
                    free.add(s);
                }
            }
        }
        slotSizes = sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Per value, the value whose buffer it lives in: itself, or its argument's for a reshape, and for a ReLU that
     * alone reads a product's result (then {@code relu[product]} is set: the product applies it).
     */
    private static int[] roots(Dag dag, boolean[] relu) {
        int[] uses = dag.uses();
        int[] root = new int[dag.valueCount()];
        for (int v = 0; v < root.length; v++) {
            root[v] = v;
            Dag.Node n = dag.producer(v);
            if (n == null) {
                continue;
            }
            if (n.op() instanceof Reshape) {
                root[v] = root[n.arg(0)];
            } else if (n.op() instanceof Relu) {
                int p = n.arg(0);
                Dag.Node pn = dag.producer(p);
                if (pn != null && pn.op() instanceof ReluEpilogue && uses[p] == 1) {
                    relu[p] = true;
                    root[v] = root[p];
                }
            }
        }
        return root;
    }

    /** Per value, the last node (as a value number) reading its buffer; graph outputs are read at the very end. */
    private static int[] ends(Dag dag, int[] root) {
        int[] end = new int[dag.valueCount()];
        for (int v = 0; v < end.length; v++) {
            end[v] = v;
        }
        for (int v = 0; v < end.length; v++) {
            Dag.Node n = dag.producer(v);
            if (n != null) {
                for (int a : n.args()) {
                    end[root[a]] = Math.max(end[root[a]], v);
                }
            }
            end[root[v]] = Math.max(end[root[v]], end[v]);
        }
        for (Dag.Output o : dag.outputs()) {
            end[root[o.value()]] = Integer.MAX_VALUE;
        }
        return end;
    }

    public Dag dag() {
        return dag;
    }

    /** Samples per tile. */
    public int lanes() {
        return lanes;
    }

    /** Floats per sample of the first input. */
    public int inputSize() {
        return dag.inputs().get(0).shape().size();
    }

    /** Floats per sample of the first output. */
    public int outputSize() {
        return dag.shape(dag.outputs().get(0).value()).size();
    }

    /** Runs one sample of the first input; returns the first output. */
    public float[] run(float[] input) {
        return run(input, 1);
    }

    /** Runs a batch of the first input, row-major {@code [batch][inputSize]}; returns the first output likewise. */
    public float[] run(float[] inputs, int batch) {
        return run(inputs, batch, 1);
    }

    /** {@link #run(float[], int)} on up to {@code threads} threads (the caller included). */
    public float[] run(float[] inputs, int batch, int threads) {
        if (dag.inputs().size() != 1) {
            throw new IllegalArgumentException("the graph has " + dag.inputs().size() + " inputs; use runAll");
        }
        return runAll(List.of(inputs), batch, threads).get(0);
    }

    /** Runs rows of the first input. */
    public float[][] run(float[][] rows) {
        int in = inputSize();
        float[] flat = new float[rows.length * in];
        for (int s = 0; s < rows.length; s++) {
            if (rows[s].length != in) {
                throw new IllegalArgumentException("row " + s + " has " + rows[s].length + " values, expected " + in);
            }
            System.arraycopy(rows[s], 0, flat, s * in, in);
        }
        float[] r = run(flat, rows.length);
        int out = outputSize();
        float[][] y = new float[rows.length][];
        for (int s = 0; s < rows.length; s++) {
            y[s] = Arrays.copyOfRange(r, s * out, (s + 1) * out);
        }
        return y;
    }

    /**
     * Runs a batch: one row-major {@code [batch][size]} array per graph input, in order; returns one per graph output.
     */
    public List<float[]> runAll(List<float[]> inputs, int batch, int threads) {
        if (inputs.size() != dag.inputs().size()) {
            throw new IllegalArgumentException("expected " + dag.inputs().size() + " inputs, got " + inputs.size());
        }
        for (int i = 0; i < inputs.size(); i++) {
            long need = (long) batch * dag.inputs().get(i).shape().size();
            if (inputs.get(i).length != need) {
                throw new IllegalArgumentException("input " + dag.inputs().get(i).name() + ": expected " + batch + " x "
                        + dag.inputs().get(i).shape() + " = " + need + " values, got " + inputs.get(i).length);
            }
        }
        if (batch < 0) {
            throw new IllegalArgumentException("negative batch: " + batch);
        }
        List<float[]> outputs = new ArrayList<>();
        for (Dag.Output o : dag.outputs()) {
            outputs.add(new float[batch * dag.shape(o.value()).size()]);
        }
        Tiles.parallel((batch + lanes - 1) / lanes, threads, (from, to) -> runTiles(inputs, batch, outputs, from, to));
        return outputs;
    }

    /** Runs tiles [from, to) with buffers of this thread's own. */
    private void runTiles(List<float[]> inputs, int batch, List<float[]> outputs, int from, int to) {
        if (from >= to) {
            return;
        }
        float[][] slots = new float[slotSizes.length][];
        for (int s = 0; s < slots.length; s++) {
            slots[s] = new float[slotSizes[s]];
        }
        Scratch scratch = new Scratch();
        float[][] args = new float[8][];
        for (int tile = from; tile < to; tile++) {
            int start = tile * lanes;
            int t = Math.min(lanes, batch - start);
            for (int i = 0; i < inputs.size(); i++) {
                load(inputs.get(i), dag.inputs().get(i).shape().size(), start, t, slots[slotOfValue[i]]);
            }
            for (Step st : steps) {
                if (args.length < st.args.length) {
                    args = new float[st.args.length][];
                }
                for (int a = 0; a < st.args.length; a++) {
                    args[a] = slots[st.args[a]];
                }
                if (st.relu) {
                    ((ReluEpilogue) st.op).forward(args, slots[st.out], lanes, scratch, true);
                } else {
                    st.op.forward(args, slots[st.out], lanes, scratch);
                }
            }
            for (int o = 0; o < outputs.size(); o++) {
                int v = dag.outputs().get(o).value();
                store(slots[slotOfValue[v]], dag.shape(v).size(), start, t, outputs.get(o));
            }
        }
    }

    /**
     * Rows [start, start + t) of {@code in} into the tile layout, 16 features at a time (so that the lines written
     * stay in L1); unused lanes become zeros.
     */
    private void load(float[] in, int size, int start, int t, float[] slot) {
        for (int f0 = 0; f0 < size; f0 += 16) {
            int f1 = Math.min(size, f0 + 16);
            for (int s = 0; s < t; s++) {
                int r = (start + s) * size;
                for (int f = f0; f < f1; f++) {
                    slot[f * lanes + s] = in[r + f];
                }
            }
        }
        for (int f = 0; t < lanes && f < size; f++) {
            Arrays.fill(slot, f * lanes + t, (f + 1) * lanes, 0f);
        }
    }

    private void store(float[] slot, int size, int start, int t, float[] out) {
        for (int s = 0; s < t; s++) {
            int r = (start + s) * size;
            for (int f = 0; f < size; f++) {
                out[r + f] = slot[f * lanes + s];
            }
        }
    }
}
