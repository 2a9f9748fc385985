package dev.engram.cli;

import dev.engram.model.DenseNetwork;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.Models;
import dev.engram.model.exec.DenseExecutor;
import dev.engram.model.exec.GraphExecutor;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code engram run}: evaluates a model on inputs given inline or in a CSV file (model units): a dense network on
 * the dense executor (with layer taps), any other graph (convolutions, pooling, branches) on the graph executor.
 */
@Command(name = "run", description = "Run a model on inputs (in model units) and print the outputs.")
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "model file")
    Path model;

    static final class Inputs {
        @Option(names = "--input", paramLabel = "V1,V2,...", description = "one input vector, comma-separated")
        String input;

        @Option(names = "--inputs", paramLabel = "FILE.csv", description = "one input vector per line")
        Path inputs;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Inputs in;

    @Option(names = "--taps", description = "also print every layer's activations")
    boolean taps;

    @Override
    public Integer call() throws IOException {
        LoadedModel m = Models.load(model);
        DenseNetwork net = dense(m);
        GraphExecutor graph = net == null ? new GraphExecutor(m.dag()) : null;
        int width = net != null ? net.inputSize() : graph.inputSize();
        List<float[]> rows = new ArrayList<>();
        if (in.input != null) {
            rows.add(parse(in.input, "--input", width));
        } else {
            List<String> lines = Files.readAllLines(in.inputs);
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i).trim();
                if (l.isEmpty() || l.startsWith("#") || (i == 0 && !l.matches("^[-+0-9.eEinfINFaN, \t]+$"))) {
                    continue; // blank, comment or header line
                }
                rows.add(parse(l, in.inputs + ":" + (i + 1), width));
            }
        }
        if (graph != null) {
            for (float[] y : graph.run(rows.toArray(new float[0][]))) {
                System.out.println(join(y));
            }
            if (taps) {
                System.err.println("note: --taps lists the layers of dense networks; this model is a graph ("
                        + graph.dag().nodes().size() + " operators), so only its outputs are printed");
            }
            return 0;
        }
        DenseExecutor ex = new DenseExecutor(net);
        float[][] out = ex.run(rows.toArray(new float[0][]));
        for (int r = 0; r < out.length; r++) {
            System.out.println(join(out[r]));
            if (taps) {
                DenseExecutor.Taps t = ex.runWithTaps(rows.get(r));
                for (int l = 0; l < t.post().size(); l++) {
                    System.out.println("  layer " + l + " " + net.layers().get(l).name() + " pre:  " + join(t.pre().get(l)));
                    System.out.println("  layer " + l + " " + net.layers().get(l).name() + " post: " + join(t.post().get(l)));
                }
            }
        }
        return 0;
    }

    /** The model's dense network, or null when it is a graph the dense view does not take (but the executor may). */
    private static DenseNetwork dense(LoadedModel m) {
        try {
            return m.dense();
        } catch (ModelException e) {
            m.dag(); // refused too: the graph reader's message names the node and what it lacks
            return null;
        }
    }

    static float[] parse(String s, String where, int n) {
        String[] p = s.split("[,;\\s]+");
        List<String> toks = new ArrayList<>();
        for (String t : p) {
            if (!t.isEmpty()) {
                toks.add(t);
            }
        }
        if (toks.size() != n) {
            throw new ModelException(where + ": expected " + n + " values, got " + toks.size());
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            try {
                v[i] = Float.parseFloat(toks.get(i));
            } catch (NumberFormatException e) {
                throw new ModelException(where + ": '" + toks.get(i) + "' is not a number");
            }
        }
        return v;
    }

    static String join(float[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ",").append(v[i]);
        }
        return sb.toString();
    }
}
