package dev.engram.model.dag;

import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.ModelLimits;
import dev.engram.model.graph.Graph;

import java.util.ArrayList;
import java.util.List;

/** Making DAGs: from a model graph (read, then the folding stages) or from a dense network. */
public final class Dags {

    private Dags() {
    }

    /**
     * The DAG a graph computes, as it is run: {@link GraphToDag} reads it, {@link FoldBatchNorm} folds batch norms
     * into the layers before them (as ONNX Runtime does), {@link FoldBias} makes added constants biases (exact).
     */
    public static Dag of(Graph graph, ModelLimits limits) {
        Dag read = GraphToDag.build(graph, limits);
        return FoldBias.apply(FoldBatchNorm.apply(read));
    }

    /**
     * A dense network as a DAG: input {@code input} of shape {@code [1, in]}, per layer a {@link Gemm} with its
     * bias and its activation, output {@code output}. Runs bit for bit as {@link DenseNetwork#evaluate}.
     */
    public static Dag of(DenseNetwork net) {
        List<Dag.Node> nodes = new ArrayList<>();
        int value = 0;
        for (int l = 0; l < net.layers().size(); l++) {
            DenseLayer d = net.layers().get(l);
            int in = d.inputSize();
            int out = d.outputSize();
            float[] w = new float[out * in];
            for (int o = 0; o < out; o++) {
                System.arraycopy(d.weight()[o], 0, w, o * in, in);
            }
            nodes.add(new Dag.Node(d.name(), d.name(), Gemm.dense(w, out, in, d.bias()), new int[] {value++}));
            Shape s = Shape.of(1, out);
            Op act = switch (d.activation()) {
                case IDENTITY -> null;
                case RELU -> new Relu(s);
                case SIGMOID -> new Sigmoid(s);
                case TANH -> new Tanh(s);
                case LEAKY_RELU -> new LeakyRelu(s, d.alpha());
            };
            if (act != null) {
                nodes.add(new Dag.Node(d.name() + "_" + act.type(), d.name() + "_" + act.type(), act,
                        new int[] {value++}));
            }
        }
        return new Dag("dense", List.of(new Dag.Input("input", Shape.of(1, net.inputSize()))), nodes,
                List.of(new Dag.Output("output", value)));
    }
}
