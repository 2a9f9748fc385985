package dev.engram.lower;

import dev.engram.model.DenseNetwork;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.dag.AveragePool;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.MaxPool;
import dev.engram.model.dag.Relayout;
import dev.engram.model.dag.Relu;
import dev.engram.model.dag.Reshape;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;
import dev.engram.verify.graph.GraphBounds;
import dev.engram.verify.graph.Range;

/**
 * A model that is not a dense chain, split where its trailing dense chain (the head) starts: the prefix computes
 * the head's input value (the features) and is left as it is; the lowerings act on the head. Over a box of the
 * model's inputs the prefix's output is enclosed soundly for the graph as executed in float32 ({@link GraphBounds}:
 * interval bounds widened by every operator's float32 error), so a statement over the model's inputs becomes one
 * over the head's inputs on that enclosure.
 *
 * @param model       the model as loaded (the head's values are written back into it)
 * @param dag         the whole model as executed
 * @param value       the head's input value in {@code dag}
 * @param head        the head as a dense network (its input: the value, flattened)
 * @param nonnegative whether the value is non-negative for every input (structurally: a ReLU, then only pooling,
 *                    padding with a non-negative fill, or relayouts), so that an identity ReLU layer in front of the
 *                    head is exact
 */
public record HeadSplit(LoadedModel model, Dag dag, int value, DenseNetwork head, boolean nonnegative,
                        GraphBounds bounds) {

    /**
     * The split of {@code model}; throws {@link ModelException} when the model has no dense head or a head whose
     * input is not a value of the graph as executed.
     */
    public static HeadSplit of(LoadedModel model) {
        Dag dag = model.dag();
        String name = model.headInput();
        int value = -1;
        for (int v = 0; v < dag.valueCount() && value < 0; v++) {
            if (dag.valueName(v).equals(name)) {
                value = v;
            }
        }
        DenseNetwork head = model.head();
        if (value < 0 || dag.shape(value).size() != head.inputSize()) {
            throw new ModelException("the head's input '" + name + "' is not a value of the graph as executed");
        }
        GraphBounds bounds;
        try {
            bounds = GraphBounds.of(dag);
        } catch (IllegalArgumentException e) {
            throw new ModelException(e.getMessage());
        }
        return new HeadSplit(model, dag, value, head, nonnegative(dag, value), bounds);
    }

    /** Whether the model's first operator is dense: then the head is the whole model. */
    public boolean whole() {
        return value == 0;
    }

    /**
     * A box of the head's inputs holding the prefix's output, as executed in float32, for every input in {@code box}:
     * the graph bounds of the value, rounded outward to float32 (so the guard's float32 faces contain it). Not
     * clipped at 0 for a non-negative value: the verifier's bounds of the written file, which the guard's faces must
     * contain, are these same bounds, widened by the float32 error.
     *
     * @throws IllegalArgumentException when a bound is not finite
     */
    public Box enclosure(Box box, Deadline deadline) {
        Range r = bounds.ranges(box, deadline).values()[value];
        double[] lo = new double[r.size()];
        double[] hi = new double[r.size()];
        for (int i = 0; i < lo.length; i++) {
            if (!Double.isFinite(r.lo()[i]) || !Double.isFinite(r.hi()[i])) {
                throw new IllegalArgumentException("feature " + i + " of the head's input has no finite bound");
            }
            float l = (float) r.lo()[i];
            float h = (float) r.hi()[i];
            lo[i] = l > r.lo()[i] ? Math.nextDown(l) : l;
            hi[i] = h < r.hi()[i] ? Math.nextUp(h) : h;
        }
        return new Box(lo, hi);
    }

    /**
     * The features (the head's input, flattened) of each of {@code inputs}, as the graph executor computes them: the
     * prefix alone is run.
     */
    public float[][] features(float[][] inputs) {
        if (inputs.length == 0) {
            return new float[0][];
        }
        Dag prefix = new Dag(dag.name(), dag.inputs(), dag.nodes().subList(0, value - dag.inputs().size() + 1),
                java.util.List.of(new Dag.Output("features", value)));
        return new GraphExecutor(prefix).run(inputs);
    }

    /**
     * The whole model as executed with {@code head} in place of the head: the prefix keeps every node and bit, the
     * head's values are written into the tensors it came from ({@link LoadedModel#withHead}).
     */
    public Dag withHead(DenseNetwork head) {
        return model.withHead(head).dag();
    }

    /** Non-negative for every input: a ReLU, then only operators that keep the sign (max/average pool, moves). */
    static boolean nonnegative(Dag dag, int value) {
        Dag.Node n = dag.producer(value);
        if (n == null) {
            return false;
        }
        if (n.op() instanceof Relu) {
            return true;
        }
        if (n.op() instanceof Relayout r && r.fill() < 0) {
            return false;
        }
        if (n.op() instanceof MaxPool || n.op() instanceof AveragePool || n.op() instanceof Relayout
                || n.op() instanceof Reshape) {
            return n.arity() == 1 && nonnegative(dag, n.arg(0));
        }
        return false;
    }
}
