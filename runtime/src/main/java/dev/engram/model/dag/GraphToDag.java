package dev.engram.model.dag;

import dev.engram.model.ModelException;
import dev.engram.model.ModelLimits;
import dev.engram.model.graph.Graph;
import dev.engram.model.graph.Node;
import dev.engram.model.graph.TensorValue;
import dev.engram.model.graph.ValueInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import static java.util.Map.entry;

/**
 * Reads a {@link Graph} as a {@link Dag}: each node through its operator's reader ({@link #READERS}), every shape
 * inferred and checked against the limits and against the shapes the file declares, nodes on constants only folded
 * to constants, nodes nothing needs left out (as ONNX Runtime does). An unsupported operator, attribute or input is
 * refused naming the node; nothing is skipped silently.
 */
public final class GraphToDag {

    /** How each supported ONNX operator is read: one line per operator. */
    public static final Map<String, Function<OpReader, Op>> READERS = Map.ofEntries(
            entry("Gemm", Gemm::read),
            entry("MatMul", MatMul::read),
            entry("Conv", Conv::read),
            entry("BatchNormalization", BatchNorm::read),
            entry("MaxPool", MaxPool::read),
            entry("GlobalMaxPool", MaxPool::readGlobal),
            entry("AveragePool", AveragePool::read),
            entry("GlobalAveragePool", AveragePool::readGlobal),
            entry("Add", Add::read),
            entry("Sub", Sub::read),
            entry("Mul", Mul::read),
            entry("Div", Div::read),
            entry("Relu", Relu::read),
            entry("LeakyRelu", LeakyRelu::read),
            entry("Sigmoid", Sigmoid::read),
            entry("Tanh", Tanh::read),
            entry("Flatten", Reshape::readFlatten),
            entry("Reshape", Reshape::read),
            entry("Squeeze", Reshape::readSqueeze),
            entry("Unsqueeze", Reshape::readUnsqueeze),
            entry("Identity", Reshape::readIdentity),
            entry("Dropout", Reshape::readDropout),
            entry("Transpose", Transpose::read),
            entry("Concat", Concat::read),
            entry("Pad", Pad::read));

    private GraphToDag() {
    }

    /** Builds the DAG of {@code g}; throws {@link ModelException} naming the node for anything unsupported. */
    public static Dag build(Graph g, ModelLimits limits) {
        return new Builder(g, limits).build();
    }

    /** What is known of the graph's values while it is read: constants, shapes of data values, value numbers. */
    static final class Values {
        private final Map<String, TensorValue> constants = new HashMap<>();
        private final Map<String, Shape> shapes = new HashMap<>();
        private final ModelLimits limits;
        private final ModelLimits.Budget budget;

        Values(ModelLimits limits) {
            this.limits = limits;
            this.budget = limits.budget();
        }

        ModelLimits limits() {
            return limits;
        }

        TensorValue constant(String name) {
            return constants.get(name);
        }

        Shape shape(String name) {
            return shapes.get(name);
        }

        Shape shapeOf(TensorValue t, OpReader r) {
            return r.checked("constant '" + t.name() + "'", t.dims());
        }
    }

    private static final class Builder {
        final Graph g;
        final Values v;
        final Map<String, Integer> ids = new HashMap<>();
        final List<Dag.Input> inputs = new ArrayList<>();
        final List<Dag.Node> nodes = new ArrayList<>();
        final Set<String> used = new HashSet<>();
        final Scratch scratch = new Scratch();

        Builder(Graph g, ModelLimits limits) {
            this.g = g;
            this.v = new Values(limits);
        }

        Dag build() {
            v.constants.putAll(g.initializers());
            for (ValueInfo in : g.inputs()) {
                if (!g.initializers().containsKey(in.name())) {
                    input(in);
                }
            }
            Set<Node> needed = needed();
            for (Node n : g.nodes()) {
                if (needed.contains(n)) {
                    node(n);
                }
            }
            List<Dag.Output> outs = new ArrayList<>();
            for (ValueInfo o : g.outputs()) {
                outs.add(new Dag.Output(o.name(), value(o.name(), "graph output")));
            }
            if (outs.isEmpty()) {
                throw new ModelException("the graph has no outputs");
            }
            return new Dag(g.name(), inputs, nodes, outs);
        }

        /** A graph input: float32 with a static shape, a symbolic first (batch) dimension read as 1. */
        private void input(ValueInfo in) {
            if (in.elemType() != TensorValue.FLOAT) {
                throw new ModelException("input '" + in.name() + "' has element type " + in.elemType()
                        + "; the executor takes float32 inputs only");
            }
            if (in.dims() == null) {
                throw new ModelException("input '" + in.name() + "' declares no shape; the executor needs one");
            }
            long[] dims = in.dims().clone();
            for (int k = 0; k < dims.length; k++) {
                if (dims[k] < 0) {
                    if (k > 0) {
                        throw new ModelException("input '" + in.name() + "' has a symbolic dimension " + k + " ("
                                + in.shapeString() + "); only the first (batch) dimension may be symbolic");
                    }
                    dims[k] = 1;
                }
            }
            Shape s = reserve("input '" + in.name() + "'", dims);
            ids.put(in.name(), inputs.size());
            inputs.add(new Dag.Input(in.name(), s));
            v.shapes.put(in.name(), s);
        }

        private Shape reserve(String what, long[] dims) {
            v.budget.reserveElements(what, dims);
            int[] d = new int[dims.length];
            for (int k = 0; k < d.length; k++) {
                d[k] = (int) dims[k];
            }
            return new Shape(d);
        }

        /** The nodes the graph outputs depend on (others are left out, as ONNX Runtime does). */
        private Set<Node> needed() {
            Map<String, Node> producer = new HashMap<>();
            for (Node n : g.nodes()) {
                for (String o : n.outputs()) {
                    if (!o.isEmpty()) {
                        producer.put(o, n);
                    }
                }
            }
            Set<Node> needed = new HashSet<>();
            List<String> todo = new ArrayList<>();
            for (ValueInfo o : g.outputs()) {
                todo.add(o.name());
            }
            while (!todo.isEmpty()) {
                String name = todo.remove(todo.size() - 1);
                if (!used.add(name)) {
                    continue;
                }
                Node n = producer.get(name);
                if (n != null && needed.add(n)) {
                    for (String in : n.inputs()) {
                        if (!in.isEmpty()) {
                            todo.add(in);
                        }
                    }
                }
            }
            return needed;
        }

        private void node(Node n) {
            if (!(n.domain() == null || n.domain().isEmpty() || n.domain().equals("ai.onnx"))) {
                throw new ModelException("unsupported operator '" + n.domain() + ":" + n.opType() + "' at node "
                        + n.label());
            }
            if (n.outputs().isEmpty() || n.outputs().get(0).isEmpty()) {
                throw new ModelException("node " + n.label() + " has no output");
            }
            String out = n.outputs().get(0);
            if (ids.containsKey(out) || v.constants.containsKey(out)) {
                throw new ModelException("node " + n.label() + " computes '" + out + "', which is already defined");
            }
            if (n.opType().equals("Constant")) {
                OpReader r = new OpReader(n, v);
                TensorValue t = Constant.read(r);
                finish(r);
                v.budget.reserveElements("node " + n.label(), t.dims());
                v.constants.put(out, t);
                return;
            }
            Function<OpReader, Op> reader = READERS.get(n.opType());
            if (reader == null) {
                throw new ModelException("unsupported operator '" + n.opType() + "' at node " + n.label()
                        + " (supported: " + new TreeSet<>(READERS.keySet()) + ", Constant)");
            }
            OpReader r = new OpReader(n, v);
            Op op = reader.apply(r);
            finish(r);
            v.budget.reserveElements("node " + n.label() + " output", op.shape().longs());
            checkDeclared(n, out, op.shape());
            List<String> args = r.args();
            boolean constant = !args.isEmpty();
            for (String a : args) {
                constant &= v.constants.containsKey(a);
            }
            if (constant) {
                v.constants.put(out, fold(out, op, args));
                return;
            }
            int[] argIds = new int[args.size()];
            for (int k = 0; k < argIds.length; k++) {
                argIds[k] = value(args.get(k), "node " + n.label());
            }
            ids.put(out, inputs.size() + nodes.size());
            nodes.add(new Dag.Node(n.name(), out, op, argIds));
            v.shapes.put(out, op.shape());
        }

        /** Refuses attributes the reader did not understand and further outputs something reads. */
        private void finish(OpReader r) {
            Node n = r.node();
            List<String> unread = r.unread();
            if (!unread.isEmpty()) {
                throw r.error("attribute" + (unread.size() > 1 ? "s " : " ") + unread + " of " + n.opType()
                        + (unread.size() > 1 ? " are" : " is") + " not supported");
            }
            for (int k = 1; k < n.outputs().size(); k++) {
                String o = n.outputs().get(k);
                if (!o.isEmpty() && used.contains(o)) {
                    throw r.error("output " + k + " ('" + o + "') of " + n.opType() + " is used, which is not supported"
                            + " (only the first output is computed)");
                }
            }
        }

        /** Evaluates an operator on constants only (one sample) into a constant. */
        private TensorValue fold(String out, Op op, List<String> args) {
            float[][] in = new float[args.size()][];
            for (int k = 0; k < in.length; k++) {
                in[k] = v.constants.get(args.get(k)).floats();
            }
            float[] y = new float[op.shape().size()];
            op.forward(in, y, 1, scratch);
            return new TensorValue(out, TensorValue.FLOAT, op.shape().longs(), y, null);
        }

        /** The value number of {@code name}; a constant read as data becomes a {@link Constant} node (once). */
        private int value(String name, String where) {
            Integer id = ids.get(name);
            if (id != null) {
                return id;
            }
            TensorValue t = v.constants.get(name);
            if (t == null) {
                throw new ModelException(where + " reads '" + name + "', which is never computed");
            }
            if (!t.isFloat()) {
                throw new ModelException(where + " reads the integer constant '" + name + "' as data, which is not"
                        + " supported");
            }
            Shape s = reserve("constant '" + name + "'", t.dims());
            int k = inputs.size() + nodes.size();
            nodes.add(new Dag.Node(name, name, new Constant(s, t.floats()), new int[0]));
            ids.put(name, k);
            return k;
        }

        /** Compares an inferred shape with what the file declares for the value (symbolic dimensions match any). */
        private void checkDeclared(Node n, String out, Shape s) {
            ValueInfo d = g.valueInfos().get(out);
            for (ValueInfo o : g.outputs()) {
                if (o.name().equals(out)) {
                    d = o;
                }
            }
            if (d == null || d.dims() == null) {
                return;
            }
            boolean ok = d.dims().length == s.rank();
            for (int k = 0; ok && k < s.rank(); k++) {
                ok = d.dims()[k] < 0 || d.dims()[k] == s.dim(k);
            }
            if (!ok) {
                throw new ModelException("node " + n.label() + ": computes '" + out + "' of shape " + s
                        + " but the file declares " + d.shapeString());
            }
        }
    }
}
