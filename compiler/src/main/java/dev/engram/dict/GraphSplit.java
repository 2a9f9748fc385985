package dev.engram.dict;

import dev.engram.model.DenseNetwork;
import dev.engram.model.ModelException;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.Pool;
import dev.engram.model.dag.Relu;
import dev.engram.model.dag.Reshape;
import dev.engram.model.graph.DenseExtraction;
import dev.engram.model.graph.DenseExtractor;
import dev.engram.model.graph.Graph;
import dev.engram.model.graph.Node;
import dev.engram.model.graph.ValueInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A feed-forward graph that is not a dense chain (a CNN) cut where its dense chain begins: the <em>prefix</em> (the
 * convolutions, pools and the flatten, run by the graph executor) and the dense <em>tail</em> (a {@link DenseNetwork}
 * read by {@link DenseExtractor} from the nodes after the cut, so its tensors are the file's initializers). The
 * dictionary's layers of such a model are the prefix's taps (the value after every ReLU and pool, in graph order, and
 * last the cut, the tail's input, usually the flatten; a value the cut only reshapes is tapped once, as the cut) and
 * then the tail's dense layers. Immutable.
 *
 * @param prefix the prefix as a DAG whose outputs are the taps, in order (the last one is the cut)
 * @param taps   per tap, its value's name and what computes it
 * @param tail   the dense tail, its input the cut
 */
public record GraphSplit(Dag prefix, List<Tap> taps, DenseExtraction tail) {

    /** One tapped value of the prefix: its name in the file, the operator that computes it, its per-sample size. */
    public record Tap(String value, String op, int width) {
    }

    public GraphSplit {
        taps = List.copyOf(taps);
    }

    /** The dense tail. */
    public DenseNetwork network() {
        return tail.network();
    }

    /**
     * Splits {@code graph} (whose DAG is {@code dag}) at the input of the first dense layer of the dense chain that
     * ends at the output. Throws {@link ModelException} when the graph does not end in such a chain.
     */
    public static GraphSplit of(Graph graph, Dag dag) {
        String cut = cut(graph);
        int cutValue = -1;
        for (int v = 0; v < dag.valueCount(); v++) {
            if (dag.valueName(v).equals(cut)) {
                cutValue = v;
            }
        }
        if (cutValue < 0) {
            throw new ModelException("the dense layers read '" + cut + "', which the executor's graph does not"
                    + " compute");
        }
        List<Integer> tapValues = new ArrayList<>();
        List<Tap> taps = new ArrayList<>();
        Dag.Node cutNode = dag.producer(cutValue);
        int reshaped = cutNode != null && cutNode.op() instanceof Reshape ? cutNode.arg(0) : -1;
        for (int v = dag.inputs().size(); v < cutValue; v++) {
            Dag.Node n = dag.producer(v);
            // the value the cut only reshapes (the flatten's argument) holds the cut's values: tapped once, as the cut
            if ((n.op() instanceof Relu || n.op() instanceof Pool) && v != reshaped) {
                tapValues.add(v);
                taps.add(new Tap(n.value(), n.op().type(), dag.shape(v).size()));
            }
        }
        tapValues.add(cutValue);
        taps.add(new Tap(cut, dag.producer(cutValue) == null ? "input" : dag.producer(cutValue).op().type(),
                dag.shape(cutValue).size()));
        List<Dag.Output> outs = new ArrayList<>();
        for (int v : tapValues) {
            outs.add(new Dag.Output(dag.valueName(v), v));
        }
        List<Dag.Node> upToCut = dag.nodes().subList(0, cutValue - dag.inputs().size() + 1);
        Dag prefix = new Dag(dag.name() + " prefix", dag.inputs(), upToCut, outs);
        DenseExtraction tail = DenseExtractor.extract(tailGraph(graph, cut, dag.shape(cutValue).size()));
        return new GraphSplit(prefix, taps, tail);
    }

    /** The value the dense chain at the end of the graph starts from: the data input of its first MatMul/Gemm. */
    static String cut(Graph graph) {
        Map<String, Node> producer = new HashMap<>();
        for (Node n : graph.nodes()) {
            for (String o : n.outputs()) {
                producer.put(o, n);
            }
        }
        String cur = graph.outputs().get(0).name();
        String cut = null;
        for (Node n = producer.get(cur); n != null && DenseExtractor.SUPPORTED.contains(n.opType());
             n = producer.get(cur)) {
            String data = dataInput(n, graph, producer);
            if (data == null) {
                break;
            }
            if (n.opType().equals("MatMul") || n.opType().equals("Gemm")) {
                cut = data;
            }
            cur = data;
        }
        if (cut == null) {
            throw new ModelException("the graph does not end in dense layers (MatMul/Gemm): no layer to edit");
        }
        return cut;
    }

    /** The input of {@code n} that is not a constant, or null when there is none or more than one. */
    private static String dataInput(Node n, Graph graph, Map<String, Node> producer) {
        String data = null;
        int count = 0;
        for (String in : n.inputs()) {
            if (in.isEmpty() || graph.initializers().containsKey(in)) {
                continue;
            }
            Node p = producer.get(in);
            if (p != null && p.opType().equals("Constant")) {
                continue;
            }
            if (n.opType().equals("Reshape") && in.equals(n.inputs().get(1))) {
                continue;
            }
            data = in;
            count++;
        }
        return count == 1 ? data : null;
    }

    /** The nodes that do not compute {@code cut}, as a graph whose one input is {@code cut} ({@code [N, width]}). */
    private static Graph tailGraph(Graph graph, String cut, int width) {
        Map<String, Node> producer = new HashMap<>();
        for (Node n : graph.nodes()) {
            for (String o : n.outputs()) {
                producer.put(o, n);
            }
        }
        Set<Node> before = new HashSet<>();
        List<String> stack = new ArrayList<>(List.of(cut));
        while (!stack.isEmpty()) {
            Node p = producer.get(stack.remove(stack.size() - 1));
            if (p != null && before.add(p)) {
                stack.addAll(p.inputs());
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (!before.contains(n) || n.opType().equals("Constant")) {
                nodes.add(n);
            }
        }
        ValueInfo in = new ValueInfo(cut, 1, new long[] {-1, width}, new String[] {"N", null});
        return new Graph(graph.name() + " tail", List.of(in), graph.outputs(), nodes, graph.initializers(),
                graph.valueInfos());
    }
}
