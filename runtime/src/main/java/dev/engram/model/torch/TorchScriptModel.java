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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A TorchScript module handled through DJL's PyTorch engine: named parameters are read, edited (loaded with
 * {@code trainParam=true} so they can be written in place) and the module is written back with the engine's
 * module writer. Held as the serialized bytes; every operation loads a transient module. Immutable.
 *
 * <p>The dense view is inferred from the parameter list (alternating 2-D weights and 1-D biases, ReLU between
 * layers) and accepted only if it reproduces the module's own forward pass on random inputs.
 */
public final class TorchScriptModel implements LoadedModel {

    private final byte[] bytes;
    private final Path source;
    private volatile Map<String, FloatTensor> params;
    private volatile DenseNetwork dense;
    private volatile String sha;

    private TorchScriptModel(byte[] bytes, Path source) {
        this.bytes = bytes;
        this.source = source;
    }

    /** Reads a TorchScript file ({@code .pt}). */
    public static TorchScriptModel read(Path path) {
        byte[] b = AtomicFiles.read(path, ModelLimits.defaults().maxFileBytes());
        checkArchive(path, b);
        TorchScriptModel m = new TorchScriptModel(b, path);
        m.parameters(); // validate now: a broken file fails at load
        return m;
    }

    /**
     * Rejects files that are not TorchScript archives before the native loader sees them: a TorchScript file is
     * a zip holding {@code <name>/data.pkl}, {@code <name>/code/...} and {@code <name>/version}.
     */
    static void checkArchive(Path path, byte[] b) {
        boolean data = false;
        boolean code = false;
        boolean version = false;
        for (String n : zipEntryNames(path, b)) {
            int slash = n.indexOf('/');
            String rest = slash < 0 ? n : n.substring(slash + 1);
            data |= rest.equals("data.pkl");
            code |= rest.startsWith("code/");
            version |= rest.equals("version") || rest.equals(".data/version");
        }
        if (!data || !code || !version) {
            throw new ModelException(path + ": not a TorchScript archive: missing "
                    + (!data ? "data.pkl" : !code ? "code/" : "version") + " (save the module with torch.jit.save)");
        }
    }

    /** The entry names of a zip archive, read from its central directory (PyTorch writes stored entries with
     * data descriptors, which streaming zip readers reject). */
    static List<String> zipEntryNames(Path path, byte[] b) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int eocd = -1;
        for (int i = b.length - 22; i >= Math.max(0, b.length - 22 - 65535); i--) {
            if (buf.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new ModelException(path + ": not a TorchScript archive (a zip file is expected): no zip directory"
                    + " found (empty, truncated or not a zip)");
        }
        int count = Short.toUnsignedInt(buf.getShort(eocd + 10));
        long offset = Integer.toUnsignedLong(buf.getInt(eocd + 16));
        if (offset == 0xFFFFFFFFL || count == 0xFFFF) { // zip64: the zip64 end record holds the real values
            int loc = eocd - 20;
            if (loc < 0 || buf.getInt(loc) != 0x07064b50) {
                throw new ModelException(path + ": corrupt zip64 directory");
            }
            long rec = buf.getLong(loc + 8);
            if (rec < 0 || rec > b.length - 56 || buf.getInt((int) rec) != 0x06064b50) {
                throw new ModelException(path + ": corrupt zip64 directory");
            }
            count = (int) Math.min(Integer.MAX_VALUE, buf.getLong((int) rec + 32));
            offset = buf.getLong((int) rec + 48);
        }
        List<String> names = new ArrayList<>();
        long p = offset;
        for (int k = 0; k < count; k++) {
            if (p < 0 || p > b.length - 46 || buf.getInt((int) p) != 0x02014b50) {
                throw new ModelException(path + ": not a TorchScript archive: corrupt zip directory (entry " + k
                        + " of " + count + ")");
            }
            int nameLen = Short.toUnsignedInt(buf.getShort((int) p + 28));
            int extra = Short.toUnsignedInt(buf.getShort((int) p + 30));
            int comment = Short.toUnsignedInt(buf.getShort((int) p + 32));
            if (p + 46 + nameLen > b.length) {
                throw new ModelException(path + ": not a TorchScript archive: corrupt zip directory");
            }
            names.add(new String(b, (int) p + 46, nameLen, java.nio.charset.StandardCharsets.UTF_8));
            p += 46L + nameLen + extra + comment;
        }
        return names;
    }

    private interface ModuleJob<T> {
        T run(PtSymbolBlock block, PtNDManager manager) throws Exception;
    }

    private <T> T withModule(ModuleJob<T> job) {
        String label = source == null ? "<torchscript>" : source.toString();
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

    @Override
    public DenseNetwork dense() {
        DenseNetwork d = dense;
        if (d != null) {
            return d;
        }
        String label = source == null ? "<torchscript>" : source.toString();
        List<Map.Entry<String, FloatTensor>> ps = new ArrayList<>(parameters().entrySet());
        List<DenseLayer> layers = new ArrayList<>();
        for (int k = 0; k < ps.size(); ) {
            Map.Entry<String, FloatTensor> w = ps.get(k);
            if (w.getValue().dims().length != 2) {
                throw new ModelException(label + ": parameter '" + w.getKey() + "' is not a 2-D weight; "
                        + "only Linear chains are understood");
            }
            int out = (int) w.getValue().dims()[0];
            int in = (int) w.getValue().dims()[1];
            float[][] wm = new float[out][in];
            for (int o = 0; o < out; o++) {
                System.arraycopy(w.getValue().data(), o * in, wm[o], 0, in);
            }
            float[] b = new float[out];
            String bname = null;
            if (k + 1 < ps.size() && ps.get(k + 1).getValue().dims().length == 1
                    && ps.get(k + 1).getValue().dims()[0] == out) {
                bname = ps.get(k + 1).getKey();
                b = ps.get(k + 1).getValue().data();
                k++;
            }
            k++;
            layers.add(new DenseLayer(w.getKey(), wm, b, Activation.RELU, 0.01,
                    new DenseLayer.TensorRef(w.getKey(), false), bname == null ? null : new DenseLayer.TensorRef(bname, false)));
        }
        if (layers.isEmpty()) {
            throw new ModelException(label + ": no parameters");
        }
        DenseLayer last = layers.get(layers.size() - 1);
        layers.set(layers.size() - 1, new DenseLayer(last.name(), last.weight(), last.bias(), Activation.IDENTITY,
                last.alpha(), last.weightRef(), last.biasRef()));
        DenseNetwork net;
        try {
            net = new DenseNetwork(layers);
        } catch (IllegalArgumentException e) {
            throw new ModelException(label + ": parameters do not form a layer chain: " + e.getMessage());
        }
        // accept the inferred structure only if it reproduces the module's forward pass
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
                    throw new ModelException(label + ": the module is not a plain Linear/ReLU chain "
                            + "(its forward pass differs from the inferred dense network)");
                }
            }
        }
        dense = net;
        return net;
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
        return new TorchScriptModel(out, source);
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
