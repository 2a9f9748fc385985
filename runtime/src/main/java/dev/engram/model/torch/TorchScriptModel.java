package dev.engram.model.torch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.FloatTensor;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.ModelFormat;
import dev.engram.model.ModelLimits;
import dev.engram.model.io.AtomicFiles;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A TorchScript module handled through DJL's PyTorch engine: named parameters are read, edited (loaded with
 * {@code trainParam=true} so they can be written in place) and the module is written back with the engine's
 * module writer. Held as the serialized bytes; every operation loads a transient module. Immutable.
 *
 * <p>The dense view is read exactly from the archive's code and parameters ({@link TorchStructure}); a module
 * that is not a plain Linear/ReLU chain is refused, never approximated by a structure that fits samples.
 */
public final class TorchScriptModel implements LoadedModel {

    private final byte[] bytes;
    private final Path source;
    private final ModelLimits limits;
    private volatile Map<String, FloatTensor> params;
    private volatile DenseNetwork dense;
    private volatile String sha;

    private TorchScriptModel(byte[] bytes, Path source, ModelLimits limits) {
        this.bytes = bytes;
        this.source = source;
        this.limits = limits;
    }

    /** Reads a TorchScript file ({@code .pt}) with the default limits. */
    public static TorchScriptModel read(Path path) {
        return read(path, ModelLimits.defaults());
    }

    /**
     * Reads a TorchScript file ({@code .pt}): the zip directory is checked before the native loader sees the
     * bytes, and the parameters are read at once, so a broken file fails here.
     */
    public static TorchScriptModel read(Path path, ModelLimits limits) {
        byte[] b = AtomicFiles.read(path, limits.maxBytes());
        TorchArchive.of(path.toString(), b).checkSizes(limits);
        TorchScriptModel m = new TorchScriptModel(b, path, limits);
        m.parameters();
        return m;
    }

    private interface ModuleJob<T> {
        T run(PtSymbolBlock block, PtNDManager manager) throws Exception;
    }

    private <T> T withModule(ModuleJob<T> job) {
        String label = label();
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new ModelException(label + ": the PyTorch engine is not available: " + e.getMessage());
        }
        try (NDManager base = engine.newBaseManager()) {
            PtNDManager manager = (PtNDManager) base;
            PtSymbolBlock block;
            try {
                block = JniUtils.loadModule(manager, new ByteArrayInputStream(bytes), true, false);
            } catch (IOException | RuntimeException e) {
                throw new ModelException(label + ": not a loadable TorchScript module: " + e.getMessage());
            }
            try {
                return job.run(block, manager);
            } catch (ModelException e) {
                throw e;
            } catch (Exception e) {
                throw new ModelException(label + ": " + e.getMessage());
            } finally {
                block.close();
            }
        }
    }

    @Override
    public ModelFormat format() {
        return ModelFormat.TORCHSCRIPT;
    }

    @Override
    public Path source() {
        return source;
    }

    @Override
    public Map<String, FloatTensor> parameters() {
        Map<String, FloatTensor> p = params;
        if (p == null) {
            params = p = withModule((block, manager) -> {
                Map<String, FloatTensor> out = new LinkedHashMap<>();
                for (Pair<String, Parameter> e : block.getDirectParameters()) {
                    NDArray a = e.getValue().getArray();
                    if (a.getDataType() != ai.djl.ndarray.types.DataType.FLOAT32) {
                        continue;
                    }
                    out.put(e.getKey(), new FloatTensor(a.getShape().getShape(), a.toFloatArray()));
                }
                return Collections.unmodifiableMap(out);
            });
        }
        return p;
    }

    /** Runs the module's own forward pass on a batch {@code [n][in]}. */
    public float[][] forward(float[][] inputs) {
        return withModule((block, manager) -> {
            int n = inputs.length;
            int in = inputs[0].length;
            float[] flat = new float[n * in];
            for (int r = 0; r < n; r++) {
                System.arraycopy(inputs[r], 0, flat, r * in, in);
            }
            NDArray x = manager.create(flat, new ai.djl.ndarray.types.Shape(n, in));
            NDList y = block.forward(new ParameterStore(manager, false), new NDList(x), false);
            float[] out = y.singletonOrThrow().toFloatArray();
            int m = out.length / n;
            float[][] res = new float[n][m];
            for (int r = 0; r < n; r++) {
                System.arraycopy(out, r * m, res[r], 0, m);
            }
            return res;
        });
    }

    /**
     * The network read exactly from the module's code ({@link TorchStructure}) with the module's parameters, then
     * checked against the module's own forward pass on a few inputs (a guard against misreading, not the basis).
     * A module whose code is not a plain chain of {@code torch.linear} and {@code torch.relu} is refused.
     */
    @Override
    public DenseNetwork dense() {
        DenseNetwork d = dense;
        if (d != null) {
            return d;
        }
        String label = label();
        List<TorchStructure.Layer> structure = TorchStructure.read(label, TorchArchive.of(label, bytes), limits);
        Map<String, FloatTensor> ps = parameters();
        Set<String> used = new HashSet<>();
        List<DenseLayer> layers = new ArrayList<>();
        for (int l = 0; l < structure.size(); l++) {
            TorchStructure.Layer s = structure.get(l);
            FloatTensor w = parameter(ps, s.weight(), used, label);
            if (w.dims().length != 2) {
                throw new ModelException(label + ": weight '" + s.weight() + "' of a linear layer is not 2-D");
            }
            int out = (int) w.dims()[0];
            int in = (int) w.dims()[1];
            float[][] wm = new float[out][in];
            for (int o = 0; o < out; o++) {
                System.arraycopy(w.data(), o * in, wm[o], 0, in);
            }
            float[] b = new float[out];
            if (s.bias() != null) {
                FloatTensor bt = parameter(ps, s.bias(), used, label);
                if (bt.dims().length != 1 || bt.dims()[0] != out) {
                    throw new ModelException(label + ": bias '" + s.bias() + "' does not have " + out + " values");
                }
                b = bt.data();
            }
            layers.add(new DenseLayer(s.weight(), wm, b, s.relu() ? Activation.RELU : Activation.IDENTITY, 0.01,
                    new DenseLayer.TensorRef(s.weight(), false),
                    s.bias() == null ? null : new DenseLayer.TensorRef(s.bias(), false)));
        }
        DenseNetwork net;
        try {
            net = new DenseNetwork(layers);
        } catch (IllegalArgumentException e) {
            throw new ModelException(label + ": the linear layers do not fit together: " + e.getMessage());
        }
        crossCheck(net, label);
        dense = net;
        return net;
    }

    private static FloatTensor parameter(Map<String, FloatTensor> ps, String name, Set<String> used, String label) {
        FloatTensor t = ps.get(name);
        if (t == null) {
            throw new ModelException(label + ": the code uses parameter '" + name + "', which the module does not"
                    + " hold as a float32 parameter");
        }
        if (!used.add(name)) {
            throw new ModelException(label + ": parameter '" + name + "' is used by two layers (shared weights"
                    + " cannot be patched layer by layer)");
        }
        return t;
    }

    /** Runs the module and the network read from its code on the same inputs; they must agree to float rounding. */
    private void crossCheck(DenseNetwork net, String label) {
        Random rnd = new Random(0);
        float[][] x = new float[16][net.inputSize()];
        for (float[] row : x) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) rnd.nextGaussian();
            }
        }
        float[][] y = forward(x);
        for (int r = 0; r < x.length; r++) {
            float[] e = net.evaluate(x[r]);
            for (int o = 0; o < e.length; o++) {
                if (y[r].length != e.length || Math.abs(y[r][o] - e[o]) > 1e-4 * (1 + Math.abs(e[o]))) {
                    throw new ModelException(label + ": the network read from the module's code does not reproduce"
                            + " its forward pass (PyTorch gives " + (y[r].length == e.length ? y[r][o] : "another shape")
                            + ", the read network " + e[o] + ")");
                }
            }
        }
    }

    private String label() {
        return source == null ? "<torchscript>" : source.toString();
    }

    @Override
    public TorchScriptModel withParameters(Map<String, FloatTensor> changed) {
        byte[] out = withModule((block, manager) -> {
            Map<String, Parameter> byName = new LinkedHashMap<>();
            for (Pair<String, Parameter> e : block.getDirectParameters()) {
                byName.put(e.getKey(), e.getValue());
            }
            for (Map.Entry<String, FloatTensor> e : changed.entrySet()) {
                Parameter p = byName.get(e.getKey());
                if (p == null) {
                    throw new ModelException("the module has no parameter '" + e.getKey() + "'");
                }
                NDArray a = p.getArray();
                if (!Arrays.equals(a.getShape().getShape(), e.getValue().dims())) {
                    throw new ModelException("parameter '" + e.getKey() + "': TorchScript parameters cannot change "
                            + "shape in place (" + a.getShape() + " -> " + Arrays.toString(e.getValue().dims()) + ")");
                }
                a.set(java.nio.FloatBuffer.wrap(e.getValue().data()));
            }
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            JniUtils.writeModule(block, bos, false);
            return bos.toByteArray();
        });
        return new TorchScriptModel(out, source, limits);
    }

    @Override
    public TorchScriptModel withDense(DenseNetwork network) {
        DenseNetwork cur = dense();
        if (network.layers().size() != cur.layers().size()) {
            throw new ModelException("the network has " + network.layers().size() + " layers, the module "
                    + cur.layers().size());
        }
        Map<String, FloatTensor> changed = new LinkedHashMap<>();
        for (int l = 0; l < cur.layers().size(); l++) {
            DenseLayer c = cur.layers().get(l);
            DenseLayer n = network.layers().get(l);
            changed.put(c.weightRef().tensorName(), FloatTensor.matrix(n.weight()));
            if (c.biasRef() != null) {
                changed.put(c.biasRef().tensorName(), FloatTensor.vector(n.bias()));
            }
        }
        return withParameters(changed);
    }

    @Override
    public byte[] toBytes() {
        return bytes.clone();
    }

    @Override
    public void write(Path out) {
        AtomicFiles.write(out, bytes);
    }

    @Override
    public String sha256() {
        String s = sha;
        if (s == null) {
            sha = s = AtomicFiles.sha256(bytes);
        }
        return s;
    }

    @Override
    public List<String> warnings() {
        return List.of();
    }

    @Override
    public List<String> inputNames() {
        return List.of("input");
    }

    @Override
    public List<String> outputNames() {
        return List.of("output");
    }
}
