package dev.engram.model.nnet;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.FloatTensor;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.ModelFormat;
import dev.engram.model.ModelLimits;
import dev.engram.model.io.AtomicFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network in the NNet text format (Julian 2016, used by the ACAS Xu networks): ReLU hidden layers, a linear
 * output layer, and normalisation metadata kept verbatim for writing back. Parameters are named
 * {@code layer<i>.weight} ({@code [out,in]}) and {@code layer<i>.bias}.
 *
 * @param mins   input minimums
 * @param maxs   input maximums
 * @param means  input means then the output mean ({@code inputs + 1} values)
 * @param ranges input ranges then the output range ({@code inputs + 1} values)
 */
public record NnetModel(DenseNetwork network, double[] mins, double[] maxs, double[] means, double[] ranges,
                        List<String> comments, Path source, String sourceSha256) implements LoadedModel {

    public NnetModel {
        comments = List.copyOf(comments);
        int n = network.inputSize();
        if (mins.length != n || maxs.length != n || means.length != n + 1 || ranges.length != n + 1) {
            throw new ModelException("NNet normalisation needs " + n + " mins/maxs and " + (n + 1)
                    + " means/ranges");
        }
        for (int l = 0; l < network.layers().size(); l++) {
            DenseLayer layer = network.layers().get(l);
            Activation want = l == network.layers().size() - 1 ? Activation.IDENTITY : Activation.RELU;
            if (layer.activation() != want) {
                throw new ModelException("NNet layer " + l + " must use " + want + ", not " + layer.activation());
            }
        }
    }

    /** A network with neutral normalisation (no clipping, mean 0, range 1). */
    public static NnetModel of(DenseNetwork net) {
        int n = net.inputSize();
        double[] mins = new double[n];
        double[] maxs = new double[n];
        Arrays.fill(mins, -Float.MAX_VALUE);
        Arrays.fill(maxs, Float.MAX_VALUE);
        double[] ranges = new double[n + 1];
        Arrays.fill(ranges, 1.0);
        return new NnetModel(named(net), mins, maxs, new double[n + 1], ranges, List.of(), null, null);
    }

    static DenseNetwork named(DenseNetwork net) {
        List<DenseLayer> out = new ArrayList<>();
        for (int l = 0; l < net.layers().size(); l++) {
            DenseLayer d = net.layers().get(l);
            out.add(new DenseLayer("layer" + l, d.weight(), d.bias(), d.activation(), d.alpha(),
                    new DenseLayer.TensorRef("layer" + l + ".weight", false),
                    new DenseLayer.TensorRef("layer" + l + ".bias", false)));
        }
        return new DenseNetwork(out);
    }

    public static NnetModel read(Path path) {
        return read(path, ModelLimits.defaults());
    }

    public static NnetModel read(Path path, ModelLimits limits) {
        byte[] bytes = AtomicFiles.read(path, limits.maxBytes());
        return NnetCodec.parse(new String(bytes, StandardCharsets.UTF_8), path, AtomicFiles.sha256(bytes), limits);
    }

    @Override
    public ModelFormat format() {
        return ModelFormat.NNET;
    }

    @Override
    public DenseNetwork dense() {
        return network;
    }

    @Override
    public Map<String, FloatTensor> parameters() {
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        for (int l = 0; l < network.layers().size(); l++) {
            DenseLayer d = network.layers().get(l);
            m.put("layer" + l + ".weight", FloatTensor.matrix(d.weight()));
            m.put("layer" + l + ".bias", FloatTensor.vector(d.bias()));
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    public NnetModel withParameters(Map<String, FloatTensor> changed) {
        List<DenseLayer> layers = new ArrayList<>(network.layers());
        int used = 0;
        for (int l = 0; l < layers.size(); l++) {
            DenseLayer d = layers.get(l);
            float[][] w = d.weight();
            float[] b = d.bias();
            FloatTensor tw = changed.get("layer" + l + ".weight");
            if (tw != null) {
                used++;
                if (tw.dims().length != 2) {
                    throw new ModelException("layer" + l + ".weight must be 2-D");
                }
                int r = (int) tw.dims()[0];
                int c = (int) tw.dims()[1];
                w = new float[r][c];
                for (int i = 0; i < r; i++) {
                    System.arraycopy(tw.data(), i * c, w[i], 0, c);
                }
            }
            FloatTensor tb = changed.get("layer" + l + ".bias");
            if (tb != null) {
                used++;
                b = tb.data().clone();
            }
            layers.set(l, new DenseLayer(d.name(), w, b, d.activation(), d.alpha(), d.weightRef(), d.biasRef()));
        }
        if (used != changed.size()) {
            throw new ModelException("unknown NNet parameter in " + changed.keySet());
        }
        try {
            return new NnetModel(new DenseNetwork(layers), mins, maxs, means, ranges, comments, source, null);
        } catch (IllegalArgumentException e) {
            throw new ModelException("inconsistent NNet parameters: " + e.getMessage());
        }
    }

    @Override
    public NnetModel withDense(DenseNetwork net) {
        if (net.inputSize() != network.inputSize()) {
            throw new ModelException("the network takes " + net.inputSize() + " inputs, the model "
                    + network.inputSize());
        }
        return new NnetModel(named(net), mins, maxs, means, ranges, comments, source, null);
    }

    @Override
    public byte[] toBytes() {
        return NnetCodec.format(this).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void write(Path out) {
        AtomicFiles.write(out, toBytes());
    }

    @Override
    public String sha256() {
        return sourceSha256 != null ? sourceSha256 : AtomicFiles.sha256(toBytes());
    }

    @Override
    public List<String> warnings() {
        List<String> w = new ArrayList<>();
        for (DenseLayer d : network.layers()) {
            int bad = 0;
            for (float[] row : d.weight()) {
                for (float v : row) {
                    bad += Float.isFinite(v) ? 0 : 1;
                }
            }
            for (float v : d.bias()) {
                bad += Float.isFinite(v) ? 0 : 1;
            }
            if (bad > 0) {
                w.add("layer " + d.name() + ": " + bad + " NaN/Inf value(s)");
            }
        }
        return w;
    }

    @Override
    public List<String> inputNames() {
        return List.of("input");
    }

    @Override
    public List<String> outputNames() {
        return List.of("output");
    }

    /** Normalises a raw input: {@code (clip(x, min, max) - mean) / range}. */
    public float[] normalizeInput(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = Math.max(mins[i], Math.min(maxs[i], x[i]));
            out[i] = (float) ((v - means[i]) / ranges[i]);
        }
        return out;
    }

    /** Converts normalised outputs to real units: {@code y * range_out + mean_out}. */
    public double[] denormalizeOutput(float[] y) {
        int n = mins.length;
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = y[i] * ranges[n] + means[n];
        }
        return out;
    }
}
