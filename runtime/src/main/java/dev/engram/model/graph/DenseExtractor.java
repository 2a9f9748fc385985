package dev.engram.model.graph;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.ModelException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a feed-forward {@link Graph} (one input, one output, a chain of MatMul/Gemm, Add/Sub of constants and
 * element-wise activations, with shape-only operators in between) as a {@link DenseNetwork}.
 *
 * <p>The dense network is what Engram executes, verifies and patches, so it must compute exactly the graph's
 * outputs. A normalising output operator (Softmax, LogSoftmax, Hardmax) changes what {@code Y_j} means, and the
 * dense network has no such layer: such a graph is refused with the node named, never read as its logits.
 */
public final class DenseExtractor {

    /** Operators this extractor understands. */
    public static final Set<String> SUPPORTED = Set.of("MatMul", "Gemm", "Add", "Sub", "Relu", "Sigmoid", "Tanh",
            "LeakyRelu", "Flatten", "Reshape", "Identity", "Dropout", "Squeeze", "Unsqueeze", "Constant");

    /** Operators that turn scores into a distribution or a choice across the outputs. */
    public static final Set<String> NORMALISING = Set.of("Softmax", "LogSoftmax", "Hardmax");

    private DenseExtractor() {
    }

    /** A linear layer being read: its weight, bias and where they are stored. */
    private static final class Pending {
        String name;
        float[][] w; // [out][in]
        float[] b;
        String weightName;
        boolean transposed;
        String biasName;
        long[] biasDims;
        float alpha = 1f;
        float beta = 1f;
        final List<String> values = new ArrayList<>();
    }

    /** Extracts the dense network; throws {@link ModelException} naming the operator and node when unsupported. */
    public static DenseExtraction extract(Graph g) {
        checkOperators(g);
        Walk w = new Walk(g);
        String input = w.input();
        String output = g.outputs().get(0).name();
        String cur = input;
        int guard = 0;
        while (!cur.equals(output)) {
            if (++guard > g.nodes().size() + 1) {
                throw new ModelException("graph has a cycle through value '" + cur + "'");
            }
            Node n = w.next(cur, output);
            w.step(n, cur);
            cur = n.outputs().get(0);
        }
        return w.finish(input, output);
    }

    /** Shape-only operators a head may start with (between the last non-dense operator and the first layer). */
    private static final Set<String> SHAPE_ONLY = Set.of("Identity", "Dropout", "Flatten", "Reshape", "Squeeze",
            "Unsqueeze");

    /**
     * The dense head of a graph that is not a dense chain: the trailing chain of MatMul/Gemm layers (with biases,
     * activations and shape-only operators) that ends at the output, read as a {@link DenseNetwork} whose input is the
     * value the chain starts from ({@link DenseExtraction#inputName()}: the output of the last operator that is not
     * dense, such as a convolution or a pooling). Everything before that value (the prefix) is not read. Throws
     * {@link ModelException} when the output is not produced by such a chain, or when the graph is a dense chain
     * (use {@link #extract}).
     */
    public static DenseExtraction extractHead(Graph g) {
        checkNormalising(g);
        Walk w = new Walk(g);
        if (g.outputs().size() != 1) {
            throw new ModelException("a head needs exactly one output, found " + g.outputs().size());
        }
        String output = g.outputs().get(0).name();
        List<Node> chain = trailingChain(g, w, output);
        int first = -1;
        for (int k = 0; k < chain.size() && first < 0; k++) {
            if (chain.get(k).opType().equals("MatMul") || chain.get(k).opType().equals("Gemm")) {
                first = k;
            }
        }
        if (first < 0) {
            throw new ModelException("the graph's output is not computed by a MatMul or Gemm layer: no dense head");
        }
        int start = first;
        while (start > 0 && SHAPE_ONLY.contains(chain.get(start - 1).opType())) {
            start--;
        }
        String input = w.dataInput(chain.get(start));
        if (w.isGraphInput(input)) {
            throw new ModelException("the graph is a dense chain from its input: it has no prefix to split off");
        }
        for (Node n : g.nodes()) {
            if (!chain.subList(start, chain.size()).contains(n)) {
                w.visited.add(n); // the prefix: not read
            }
        }
        String cur = input;
        while (!cur.equals(output)) {
            Node n = w.next(cur, output);
            w.step(n, cur);
            cur = n.outputs().get(0);
        }
        return w.finish(input, output);
    }

    /** The nodes of the extractor's operators that end at {@code output}, each reading the previous, in order. */
    private static List<Node> trailingChain(Graph g, Walk w, String output) {
        Map<String, Node> producer = new HashMap<>();
        for (Node n : g.nodes()) {
            for (String o : n.outputs()) {
                producer.put(o, n);
            }
        }
        List<Node> chain = new ArrayList<>();
        String cur = output;
        Node n = producer.get(cur);
        while (n != null && SUPPORTED.contains(n.opType()) && !n.opType().equals("Constant")
                && chain.size() <= g.nodes().size()) {
            chain.add(0, n);
            String in = w.dataInput(n);
            if (in == null) {
                break;
            }
            n = producer.get(in);
        }
        return chain;
    }

    private static void checkNormalising(Graph g) {
        for (Node n : g.nodes()) {
            if (NORMALISING.contains(n.opType())) {
                throw new ModelException("node " + n.label() + " applies " + n.opType() + " across the outputs,"
                        + " which changes what Y_j means; Engram's network has no such layer, so properties would be"
                        + " checked against the scores before it: the model is refused (export it without the final "
                        + n.opType() + "; argmax is the same before it)");
            }
        }
    }

    private static void checkOperators(Graph g) {
        checkNormalising(g);
        for (Node n : g.nodes()) {
            if (!SUPPORTED.contains(n.opType()) || !(n.domain() == null || n.domain().isEmpty()
                    || n.domain().equals("ai.onnx"))) {
                String dom = n.domain() == null || n.domain().isEmpty() ? "" : n.domain() + ":";
                throw new ModelException("unsupported operator '" + dom + n.opType() + "' at node " + n.label());
            }
        }
    }

    /** The walk along the chain from the input to the output, collecting layers as it goes. */
    private static final class Walk {
        final Graph g;
        final Map<String, TensorValue> consts;
        final Map<String, List<Node>> consumers = new HashMap<>();
        final Set<Node> visited = new HashSet<>();
        final List<DenseLayer> layers = new ArrayList<>();
        final List<DenseExtraction.LayerSource> sources = new ArrayList<>();
        float[] offset;
        float[] folded;
        Pending p;

        Walk(Graph g) {
            this.g = g;
            this.consts = new HashMap<>(g.initializers());
            for (Node n : g.nodes()) {
                if (n.opType().equals("Constant")) {
                    Attribute a = n.attributes().get("value");
                    if (a == null || a.t() == null) {
                        throw new ModelException("Constant node " + n.label() + " has no tensor 'value'");
                    }
                    consts.put(n.outputs().get(0), a.t());
                    visited.add(n);
                    continue;
                }
                for (String in : n.inputs()) {
                    if (!in.isEmpty()) {
                        consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                    }
                }
            }
        }

        /** The one graph input that is not a constant. */
        String input() {
            List<ValueInfo> realInputs = new ArrayList<>();
            for (ValueInfo v : g.inputs()) {
                if (!consts.containsKey(v.name())) {
                    realInputs.add(v);
                }
            }
            if (realInputs.size() != 1 || g.outputs().size() != 1) {
                throw new ModelException("a feed-forward network needs exactly one input and one output, found "
                        + realInputs.size() + " inputs and " + g.outputs().size() + " outputs");
            }
            return realInputs.get(0).name();
        }

        /** The one input of {@code n} that is not a constant, or null when there is none or more than one. */
        String dataInput(Node n) {
            String found = null;
            for (String in : n.inputs()) {
                if (!in.isEmpty() && !consts.containsKey(in)) {
                    if (found != null) {
                        return null;
                    }
                    found = in;
                }
            }
            return found;
        }

        boolean isGraphInput(String value) {
            return g.inputs().stream().anyMatch(v -> v.name().equals(value));
        }

        /** The single node reading {@code cur}. */
        Node next(String cur, String output) {
            List<Node> cs = consumers.getOrDefault(cur, List.of());
            if (cs.isEmpty()) {
                throw new ModelException("value '" + cur + "' is not consumed by any node and is not the output '"
                        + output + "'");
            }
            if (cs.size() > 1) {
                throw new ModelException("value '" + cur + "' feeds " + cs.size()
                        + " nodes: only chains (no branches) are supported");
            }
            Node n = cs.get(0);
            if (!visited.add(n)) {
                throw new ModelException("graph has a cycle at node " + n.label());
            }
            if (n.outputs().isEmpty()) {
                throw new ModelException("node " + n.label() + " has no output");
            }
            return n;
        }

        void step(Node n, String cur) {
            String out = n.outputs().get(0);
            switch (n.opType()) {
                case "Identity", "Dropout", "Flatten", "Reshape", "Squeeze", "Unsqueeze" -> {
                    if (!n.inputs().get(0).equals(cur)) {
                        throw new ModelException("node " + n.label() + " reshapes a constant, not the data path");
                    }
                    if (p != null) {
                        p.values.add(out);
                    }
                }
                case "Add", "Sub" -> addOrSub(n, cur, out);
                case "MatMul", "Gemm" -> linear(n, cur, out);
                case "Relu", "Sigmoid", "Tanh", "LeakyRelu" -> activation(n, out);
                default -> throw new ModelException("unsupported operator '" + n.opType() + "' at node " + n.label());
            }
        }

        /** A constant added or subtracted: an input offset before the first layer, or a layer's bias. */
        private void addOrSub(Node n, String cur, String out) {
            if (n.inputs().size() != 2) {
                throw new ModelException("node " + n.label() + " needs two inputs");
            }
            int ci = n.inputs().get(0).equals(cur) ? 1 : 0;
            String cname = n.inputs().get(ci);
            TensorValue c = consts.get(cname);
            if (c == null || !c.isFloat()) {
                throw new ModelException("node " + n.label() + ": operand '" + cname
                        + "' is not a float constant (only constant offsets and biases are supported)");
            }
            boolean sub = n.opType().equals("Sub");
            if (sub && ci == 0) {
                throw new ModelException("node " + n.label() + ": constant minus data is not supported");
            }
            if (p == null && layers.isEmpty()) {
                float[] v = c.floats();
                if (offset == null) {
                    offset = new float[v.length];
                }
                if (offset.length != v.length) {
                    throw new ModelException("node " + n.label() + ": offset size mismatch");
                }
                for (int i = 0; i < v.length; i++) {
                    offset[i] += sub ? v[i] : -v[i];
                }
            } else if (p != null && !sub && p.b == null) {
                if (c.floats().length != p.w.length) {
                    throw new ModelException("node " + n.label() + ": bias '" + cname + "' has "
                            + c.floats().length + " values for a layer of " + p.w.length + " units");
                }
                p.b = c.floats().clone();
                p.biasName = g.initializers().containsKey(cname) ? cname : null;
                p.biasDims = c.dims().clone();
                p.values.add(out);
            } else {
                throw new ModelException("node " + n.label() + ": unsupported position of " + n.opType()
                        + " (expected a bias right after MatMul, or an input offset)");
            }
        }

        /** MatMul or Gemm: closes the pending layer and starts a new one. */
        private void linear(Node n, String cur, String out) {
            boolean gemm = n.opType().equals("Gemm");
            if (n.inputs().size() < 2) {
                throw new ModelException("node " + n.label() + " needs two inputs");
            }
            // MatMul(W, x) with x a column: W is stored [out][in]
            boolean leftWeight = !gemm && n.inputs().get(1).equals(cur) && !n.inputs().get(0).equals(cur);
            if (!leftWeight && !n.inputs().get(0).equals(cur)) {
                throw new ModelException("node " + n.label() + ": the data must be an operand");
            }
            String wname = n.inputs().get(leftWeight ? 0 : 1);
            TensorValue w = consts.get(wname);
            if (w == null || !w.isFloat() || w.dims().length != 2) {
                throw new ModelException("node " + n.label() + ": weight '" + wname + "' must be a 2-D float constant");
            }
            if (p != null) {
                close(Activation.IDENTITY, 0.01);
            }
            p = new Pending();
            p.name = n.name() == null || n.name().isEmpty() ? wname : n.name();
            boolean transB = leftWeight || (gemm && n.intAttr("transB", 0) != 0);
            if (gemm && n.intAttr("transA", 0) != 0) {
                throw new ModelException("node " + n.label() + ": Gemm with transA=1 is not supported");
            }
            float alpha = gemm ? n.floatAttr("alpha", 1f) : 1f;
            float beta = gemm ? n.floatAttr("beta", 1f) : 1f;
            p.w = weight(w, transB, alpha);
            p.weightName = g.initializers().containsKey(wname) ? wname : null;
            p.transposed = !transB;
            p.alpha = alpha;
            p.beta = beta;
            p.values.add(out);
            if (gemm && n.inputs().size() > 2 && !n.inputs().get(2).isEmpty()) {
                gemmBias(n, beta);
            }
        }

        /** The weight as {@code [out][in]}, times Gemm's alpha. */
        private static float[][] weight(TensorValue w, boolean transB, float alpha) {
            int r = (int) w.dims()[0];
            int c = (int) w.dims()[1];
            float[] d = w.floats();
            float[][] m;
            if (transB) { // stored [out][in]
                m = new float[r][c];
                for (int o = 0; o < r; o++) {
                    for (int i = 0; i < c; i++) {
                        m[o][i] = alpha * d[o * c + i];
                    }
                }
            } else { // stored [in][out]
                m = new float[c][r];
                for (int i = 0; i < r; i++) {
                    for (int o = 0; o < c; o++) {
                        m[o][i] = alpha * d[i * c + o];
                    }
                }
            }
            return m;
        }

        private void gemmBias(Node n, float beta) {
            String bname = n.inputs().get(2);
            TensorValue b = consts.get(bname);
            if (b == null || !b.isFloat() || b.floats().length != p.w.length) {
                throw new ModelException("node " + n.label() + ": bias '" + bname
                        + "' must be a float constant with " + p.w.length + " values");
            }
            p.b = new float[p.w.length];
            for (int o = 0; o < p.b.length; o++) {
                p.b[o] = beta * b.floats()[o];
            }
            p.biasName = g.initializers().containsKey(bname) ? bname : null;
            p.biasDims = b.dims().clone();
        }

        private void activation(Node n, String out) {
            if (p == null) {
                throw new ModelException("node " + n.label() + ": activation without a preceding linear layer");
            }
            p.values.add(out);
            Activation a = switch (n.opType()) {
                case "Relu" -> Activation.RELU;
                case "Sigmoid" -> Activation.SIGMOID;
                case "Tanh" -> Activation.TANH;
                default -> Activation.LEAKY_RELU;
            };
            close(a, n.floatAttr("alpha", 0.01f));
        }

        DenseExtraction finish(String input, String output) {
            if (p != null) {
                close(Activation.IDENTITY, 0.01);
            }
            for (Node n : g.nodes()) {
                if (!visited.contains(n)) {
                    throw new ModelException("node " + n.label() + " is not on the chain from '" + input + "' to '"
                            + output + "'");
                }
            }
            if (layers.isEmpty()) {
                throw new ModelException("the graph has no MatMul or Gemm layer");
            }
            if (offset != null) {
                throw new ModelException("input offset without a following layer");
            }
            return new DenseExtraction(new DenseNetwork(layers), folded, sources, input, output);
        }

        /** Closes the pending layer, folding an input offset into the first layer's bias. */
        private void close(Activation act, double alpha) {
            float[] b = p.b == null ? new float[p.w.length] : p.b;
            if (offset != null && layers.isEmpty()) {
                boolean nonzero = false;
                for (float v : offset) {
                    nonzero |= v != 0f;
                }
                if (offset.length != (p.w.length == 0 ? 0 : p.w[0].length)) {
                    throw new ModelException("input offset has " + offset.length + " values but layer " + p.name
                            + " takes " + p.w[0].length + " inputs");
                }
                if (nonzero) { // W (x - c) + b = W x + (b - W c)
                    b = b.clone();
                    for (int o = 0; o < b.length; o++) {
                        float s = 0f;
                        for (int i = 0; i < offset.length; i++) {
                            s += p.w[o][i] * offset[i];
                        }
                        b[o] -= s;
                    }
                    folded = offset.clone();
                }
            }
            offset = null;
            layers.add(new DenseLayer(p.name, p.w, b, act, alpha,
                    p.weightName == null ? null : new DenseLayer.TensorRef(p.weightName, p.transposed, p.alpha),
                    p.biasName == null ? null : new DenseLayer.TensorRef(p.biasName, false)));
            sources.add(new DenseExtraction.LayerSource(p.name, p.weightName, p.transposed, p.biasName, p.biasDims,
                    p.alpha, p.beta, List.copyOf(p.values)));
            p = null;
        }
    }
}
