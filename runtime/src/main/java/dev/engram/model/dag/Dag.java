package dev.engram.model.dag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A network as a directed acyclic graph of operators, with every value's per-sample shape inferred and checked: the
 * general form the executor runs (the dense chain, {@link dev.engram.model.DenseNetwork}, is its special case).
 * Immutable.
 *
 * <p>Values are numbered: the inputs first ({@code 0 .. inputs.size()-1}), then one per node in order. A node's
 * arguments are earlier values, so the node order is a topological order. Constants are not values: they are folded
 * into the operators that use them (a convolution's kernel, a bias) or, where an operator takes them as data, made
 * {@link Constant} nodes.
 */
public record Dag(String name, List<Input> inputs, List<Node> nodes, List<Output> outputs) {

    /** A graph input: its name in the file and its per-sample shape. */
    public record Input(String name, Shape shape) {
    }

    /**
     * One operator application.
     *
     * @param name  the node's name in the file (may be empty)
     * @param value the name of the value it computes
     * @param op    the operator, with its parameters
     * @param args  the values it reads, in the operator's order
     */
    public record Node(String name, String value, Op op, int[] args) {
        public Node {
            args = args.clone();
        }

        @Override
        public int[] args() {
            return args.clone();
        }

        public int arg(int i) {
            return args[i];
        }

        public int arity() {
            return args.length;
        }

        /** The node's name, or the value it computes when unnamed, with its operator. */
        public String label() {
            return (name == null || name.isEmpty() ? value : name) + " (" + op.type() + ")";
        }
    }

    /** A graph output: its name in the file and the value it is. */
    public record Output(String name, int value) {
    }

    public Dag {
        inputs = List.copyOf(inputs);
        nodes = List.copyOf(nodes);
        outputs = List.copyOf(outputs);
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("a graph needs an output");
        }
        for (int k = 0; k < nodes.size(); k++) {
            for (int a : nodes.get(k).args) {
                if (a < 0 || a >= inputs.size() + k) {
                    throw new IllegalArgumentException("node " + nodes.get(k).label() + " reads value " + a
                            + ", which is not computed before it");
                }
            }
        }
        for (Output o : outputs) {
            if (o.value < 0 || o.value >= inputs.size() + nodes.size()) {
                throw new IllegalArgumentException("output " + o.name + " is value " + o.value + ", which does not exist");
            }
        }
    }

    public int valueCount() {
        return inputs.size() + nodes.size();
    }

    /** The node computing {@code value}, or null for an input. */
    public Node producer(int value) {
        return value < inputs.size() ? null : nodes.get(value - inputs.size());
    }

    public Shape shape(int value) {
        Node n = producer(value);
        return n == null ? inputs.get(value).shape() : n.op().shape();
    }

    public String valueName(int value) {
        Node n = producer(value);
        return n == null ? inputs.get(value).name() : n.value();
    }

    /** How many times each value is read: by nodes (once per argument) and as a graph output. */
    public int[] uses() {
        int[] u = new int[valueCount()];
        for (Node n : nodes) {
            for (int a : n.args) {
                u[a]++;
            }
        }
        for (Output o : outputs) {
            u[o.value]++;
        }
        return u;
    }

    /**
     * This DAG with node {@code consumer} computing {@code op} from the arguments of node {@code producer}, which is
     * removed: an operator folded into the one before it (the producer's result must be read by the consumer only).
     */
    public Dag fuse(int producer, int consumer, Op op) {
        Node p = producer(producer);
        Node c = producer(consumer);
        if (p == null || c == null || consumer <= producer || uses()[producer] != 1) {
            throw new IllegalArgumentException("cannot fuse value " + producer + " into " + consumer);
        }
        List<Node> out = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            int v = inputs.size() + k;
            Node n = nodes.get(k);
            if (v == producer) {
                continue;
            }
            int[] args = v == consumer ? p.args : n.args.clone();
            for (int i = 0; i < args.length; i++) {
                args[i] = args[i] > producer ? args[i] - 1 : args[i];
            }
            out.add(new Node(n.name, n.value, v == consumer ? op : n.op, args));
        }
        List<Output> outs = new ArrayList<>();
        for (Output o : outputs) {
            outs.add(new Output(o.name, o.value > producer ? o.value - 1 : o.value));
        }
        return new Dag(name, inputs, out, outs);
    }

    /** One line per input, node and output: values, operators, shapes and parameters. */
    public List<String> listing() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            out.add(String.format("%%%-3d input  %-18s %s", i, inputs.get(i).name(), inputs.get(i).shape()));
        }
        for (int k = 0; k < nodes.size(); k++) {
            Node n = nodes.get(k);
            StringBuilder args = new StringBuilder();
            for (int a : n.args) {
                args.append(args.length() == 0 ? "" : ", ").append('%').append(a);
            }
            String d = n.op().describe();
            out.add(String.format("%%%-3d %-18s %-18s %-16s (%s)%s", inputs.size() + k, n.op().type(),
                    n.name() == null || n.name().isEmpty() ? n.value() : n.name(), n.op().shape(), args,
                    d.isEmpty() ? "" : "  " + d));
        }
        for (Output o : outputs) {
            out.add(String.format("     output %-18s %%%d %s", o.name(), o.value(), shape(o.value())));
        }
        return out;
    }

    @Override
    public String toString() {
        return "Dag" + Arrays.toString(new int[] {inputs.size(), nodes.size(), outputs.size()}) + " " + name;
    }
}
