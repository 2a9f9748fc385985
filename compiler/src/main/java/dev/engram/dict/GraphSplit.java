package dev.engram.dict;

import dev.engram.model.DenseNetwork;
import dev.engram.model.ModelException;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.Pool;
import dev.engram.model.dag.Relu;
import dev.engram.model.graph.DenseExtraction;
import dev.engram.model.onnx.OnnxModel;

import java.util.ArrayList;
import java.util.List;

/**
 * A feed-forward graph that is not a dense chain (a CNN) cut where its dense head begins: the <em>prefix</em> (the
 * convolutions and pools, run by the graph executor) and the dense <em>tail</em> (the model's dense head,
 * {@link OnnxModel#headExtraction()}, whose tensors are the file's initializers; its flatten is shape-only). The
 * dictionary's layers of such a model are the prefix's taps (the value after every ReLU and pool, in graph order, and
 * last the cut, the head's input: the last pool or ReLU, whose values the flatten only relays) and then the tail's
 * dense layers. Immutable.
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
     * Splits {@code model} where its dense head starts ({@link OnnxModel#headExtraction()}, the one reading of a
     * graph's dense part: the trailing chain of dense layers, with the shape-only operators in front of its first
     * layer): the cut is the head's input, the prefix everything that computes it. Throws {@link ModelException} when
     * the graph does not end in such a chain.
     */
    public static GraphSplit of(OnnxModel model) {
        DenseExtraction tail = model.headExtraction();
        Dag dag = model.dag();
        String cut = tail.inputName();
        int cutValue = -1;
        for (int v = 0; v < dag.valueCount(); v++) {
            if (dag.valueName(v).equals(cut)) {
                cutValue = v;
            }
        }
        if (cutValue < dag.inputs().size()) {
            throw new ModelException("the dense layers read '" + cut + "', which the executor's graph does not"
                    + " compute");
        }
        List<Integer> tapValues = new ArrayList<>();
        List<Tap> taps = new ArrayList<>();
        for (int v = dag.inputs().size(); v < cutValue; v++) {
            Dag.Node n = dag.producer(v);
            if (n.op() instanceof Relu || n.op() instanceof Pool) {
                tapValues.add(v);
                taps.add(new Tap(n.value(), n.op().type(), dag.shape(v).size()));
            }
        }
        tapValues.add(cutValue);
        taps.add(new Tap(cut, dag.producer(cutValue).op().type(), dag.shape(cutValue).size()));
        List<Dag.Output> outs = new ArrayList<>();
        for (int v : tapValues) {
            outs.add(new Dag.Output(dag.valueName(v), v));
        }
        List<Dag.Node> upToCut = dag.nodes().subList(0, cutValue - dag.inputs().size() + 1);
        Dag prefix = new Dag(dag.name() + " prefix", dag.inputs(), upToCut, outs);
        return new GraphSplit(prefix, taps, tail);
    }
}
