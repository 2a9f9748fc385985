package dev.engram.cli;

import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.Models;
import dev.engram.model.dag.Dag;
import dev.engram.model.graph.Graph;
import dev.engram.model.graph.Node;
import dev.engram.model.graph.ValueInfo;
import dev.engram.model.nnet.NnetModel;
import dev.engram.model.onnx.OnnxModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code engram inspect MODEL}: format, inputs/outputs, layers with shapes and parameter counts. */
@Command(name = "inspect", description = "Show a model's inputs, outputs, layers, shapes and parameter counts.")
public final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "model file (.onnx, .nnet, .pt)")
    Path model;

    @Override
    public Integer call() {
        LoadedModel m = Models.load(model);
        System.out.println("model:   " + model);
        System.out.println("format:  " + m.format());
        System.out.println("sha256:  " + m.sha256());
        if (m instanceof OnnxModel o) {
            var p = o.proto();
            System.out.println("onnx:    ir_version " + p.getIrVersion() + ", opset "
                    + p.getOpsetImportList().stream().map(s -> (s.getDomain().isEmpty() ? "ai.onnx" : s.getDomain())
                    + ":" + s.getVersion()).toList() + ", producer " + p.getProducerName() + " "
                    + p.getProducerVersion());
            Graph g = o.graph();
            for (ValueInfo v : g.inputs()) {
                if (!g.initializers().containsKey(v.name())) {
                    System.out.println("input:   " + v.name() + " " + v.shapeString());
                }
            }
            for (ValueInfo v : g.outputs()) {
                System.out.println("output:  " + v.name() + " " + v.shapeString());
            }
            Map<String, Integer> ops = new TreeMap<>();
            for (Node n : g.nodes()) {
                ops.merge(n.opType(), 1, Integer::sum);
            }
            System.out.println("nodes:   " + g.nodes().size() + " " + ops);
            System.out.println("params:  " + g.parameterCount() + " in " + g.initializers().size() + " initializers");
        } else {
            System.out.println("inputs:  " + m.inputNames() + ", outputs: " + m.outputNames());
        }
        if (m instanceof NnetModel n) {
            System.out.println("normalisation: mins " + Arrays.toString(n.mins()) + ", maxs " + Arrays.toString(n.maxs()));
            System.out.println("               means " + Arrays.toString(n.means()) + ", ranges "
                    + Arrays.toString(n.ranges()));
        }
        try {
            DenseNetwork net = m.dense();
            System.out.println("dense network: " + net.inputSize() + " inputs -> " + net.outputSize() + " outputs, "
                    + net.layers().size() + " layers");
            long total = 0;
            System.out.printf("  %-3s %-28s %-12s %-11s %8s  %s%n", "#", "layer", "shape", "activation", "params",
                    "tensors");
            for (int i = 0; i < net.layers().size(); i++) {
                DenseLayer l = net.layers().get(i);
                long params = (long) l.inputSize() * l.outputSize() + l.outputSize();
                total += params;
                System.out.printf("  %-3d %-28s %-12s %-11s %8d  %s%s%n", i, l.name(),
                        l.inputSize() + "->" + l.outputSize(), l.activation(), params,
                        l.weightRef() == null ? "-" : l.weightRef().tensorName() + (l.weightRef().transposed() ? "^T" : ""),
                        l.biasRef() == null ? "" : ", " + l.biasRef().tensorName());
            }
            System.out.println("  total parameters: " + total);
        } catch (ModelException e) {
            System.out.println("dense network: not available: " + e.getMessage());
            graph(m);
        }
        for (String w : m.warnings()) {
            System.out.println("warning: " + w);
        }
        return 0;
    }

    /** The operator graph with every value's shape, for models that are not dense chains. */
    private static void graph(LoadedModel m) {
        try {
            Dag d = m.dag();
            System.out.println("graph:   " + d.nodes().size() + " operators (what engram run executes)");
            for (String line : d.listing()) {
                System.out.println("  " + line);
            }
        } catch (ModelException e) {
            System.out.println("graph:   not available: " + e.getMessage());
        }
    }
}
