package dev.engram.model.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.engram.model.DenseNetwork;
import dev.engram.model.FloatTensor;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.ModelFormat;
import dev.engram.model.ModelLimits;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.Dags;
import dev.engram.model.graph.DenseExtraction;
import dev.engram.model.graph.DenseExtractor;
import dev.engram.model.graph.Graph;
import dev.engram.model.io.AtomicFiles;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorProto;
import dev.engram.model.onnx.proto.OnnxProto.ValueInfoProto;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX model held as its protobuf message (fields we do not model are kept as unknown fields and written back
 * unchanged), with a lazily built typed {@link Graph} and {@link DenseNetwork} view. Immutable.
 *
 * <p>Reading parses the protobuf, then {@link OnnxValidator} checks it (inlining external data through
 * {@link ExternalData}, only from inside the model's folder); {@link ProtoToGraph} builds the typed graph,
 * {@link OnnxEdits} replaces parameters and {@link DenseToOnnx} builds a model for a dense network.
 */
public final class OnnxModel implements LoadedModel {

    private final ModelProto proto;
    private final Path source;
    private final byte[] sourceBytes; // the file as read (raw tensors alias it); hashed lazily
    private final List<String> warnings;
    private volatile Graph graph;
    private volatile DenseExtraction extraction;
    private volatile DenseExtraction head;
    private volatile Dag dag;
    private final ModelLimits limits;
    private volatile String sha;

    private OnnxModel(ModelProto proto, Path source, byte[] sourceBytes, List<String> warnings, ModelLimits limits) {
        this.limits = limits;
        this.proto = proto;
        this.source = source;
        this.sourceBytes = sourceBytes;
        this.warnings = List.copyOf(warnings);
    }

    // ------------------------------------------------------------------------------------------------ input

    /** Reads and validates an ONNX file with the default limits. */
    public static OnnxModel read(Path path) {
        return read(path, ModelLimits.defaults());
    }

    /** Reads and validates an ONNX file. */
    public static OnnxModel read(Path path, ModelLimits limits) {
        byte[] bytes = AtomicFiles.read(path, limits.maxBytes());
        Path dir = path.toAbsolutePath().getParent();
        return parse(bytes, dir, path, limits);
    }

    /**
     * Parses and validates ONNX bytes; {@code dir} is the folder external data may be read from (null: none);
     * {@code source} labels error messages (may be null). The bytes and all external data count against one
     * budget of {@code limits}.
     */
    public static OnnxModel parse(byte[] bytes, Path dir, Path source, ModelLimits limits) {
        String label = source == null ? "<onnx>" : source.toString();
        ModelLimits.Budget budget = limits.budget();
        budget.reserveBytes(label, bytes.length);
        ModelProto m;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            in.setRecursionLimit(limits.maxDepth());
            m = ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new ModelException(label + ": not a valid ONNX protobuf: " + e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            throw new ModelException(label + ": not a valid ONNX protobuf: " + e);
        }
        List<String> warnings = new ArrayList<>();
        m = OnnxValidator.validate(m, dir, budget, label, warnings);
        return new OnnxModel(m, source, bytes, warnings, limits);
    }

    /** Wraps a protobuf model built in memory (validated). */
    public static OnnxModel of(ModelProto proto) {
        List<String> warnings = new ArrayList<>();
        ModelProto m = OnnxValidator.validate(proto, null, ModelLimits.defaults().budget(), "<onnx>", warnings);
        return new OnnxModel(m, null, null, warnings, ModelLimits.defaults());
    }

    /**
     * Builds an ONNX model (ir_version 7, opset 13) for a dense network: input {@code inputName} float [N,in],
     * then per layer MatMul (W stored [in][out]) or Gemm (transB=1, W stored [out][in]), Add, activation.
     */
    public static OnnxModel fromDense(DenseNetwork net, String inputName, String outputName, boolean gemm,
                                      Map<String, String> metadata) {
        return of(DenseToOnnx.build(net, inputName, outputName, gemm, metadata));
    }

    /** Encodes float32 values as an ONNX FLOAT tensor with raw little-endian data. */
    public static TensorProto encode(String name, float[] data, long[] dims) {
        return DenseToOnnx.encode(name, data, dims);
    }

    // -------------------------------------------------------------------------------------------- accessors

    public ModelProto proto() {
        return proto;
    }

    @Override
    public ModelFormat format() {
        return ModelFormat.ONNX;
    }

    @Override
    public Path source() {
        return source;
    }

    @Override
    public List<String> warnings() {
        return warnings;
    }

    /** The typed graph view (decodes every initializer on first use). */
    public Graph graph() {
        Graph g = graph;
        if (g == null) {
            graph = g = ProtoToGraph.toGraph(proto.getGraph());
        }
        return g;
    }

    /** How the dense view maps onto the graph. */
    public DenseExtraction extraction() {
        DenseExtraction e = extraction;
        if (e == null) {
            String label = source == null ? "<onnx>" : source.toString();
            try {
                extraction = e = DenseExtractor.extract(graph());
            } catch (ModelException ex) {
                throw new ModelException(label + ": " + ex.getMessage());
            }
        }
        return e;
    }

    /**
     * How the dense head maps onto the graph: the dense view of a dense chain, else the trailing dense chain after
     * the last operator that is not dense ({@link DenseExtractor#extractHead}).
     */
    public DenseExtraction headExtraction() {
        DenseExtraction e = head;
        if (e == null) {
            try {
                e = extraction();
            } catch (ModelException notDense) {
                try {
                    e = DenseExtractor.extractHead(graph());
                } catch (ModelException ex) {
                    throw new ModelException((source == null ? "<onnx>" : source.toString()) + ": " + ex.getMessage()
                            + " (and not a dense chain: " + notDense.getMessage() + ")");
                }
            }
            head = e;
        }
        return e;
    }

    @Override
    public DenseNetwork head() {
        return headExtraction().network();
    }

    @Override
    public String headInput() {
        return headExtraction().inputName();
    }

    /** The graph of operators ({@link Dags#of(Graph, ModelLimits)}), built on first use within the read's limits. */
    @Override
    public Dag dag() {
        Dag d = dag;
        if (d == null) {
            try {
                dag = d = Dags.of(graph(), limits);
            } catch (ModelException ex) {
                throw new ModelException((source == null ? "<onnx>" : source.toString()) + ": " + ex.getMessage());
            }
        }
        return d;
    }

    @Override
    public DenseNetwork dense() {
        return extraction().network();
    }

    @Override
    public List<String> inputNames() {
        Set<String> inits = new HashSet<>();
        for (TensorProto t : proto.getGraph().getInitializerList()) {
            inits.add(t.getName());
        }
        List<String> out = new ArrayList<>();
        for (ValueInfoProto v : proto.getGraph().getInputList()) {
            if (!inits.contains(v.getName())) {
                out.add(v.getName());
            }
        }
        return out;
    }

    @Override
    public List<String> outputNames() {
        List<String> out = new ArrayList<>();
        for (ValueInfoProto v : proto.getGraph().getOutputList()) {
            out.add(v.getName());
        }
        return out;
    }

    /** One initializer as float32 (FLOAT or DOUBLE tensors). */
    public FloatTensor initializer(String name) {
        return new FloatTensor(OnnxTensors.dims(tensor(name)), OnnxTensors.floats(tensor(name)));
    }

    /** ByteString helper for tests: the raw bytes of an initializer as stored. */
    public ByteString rawInitializer(String name) {
        return tensor(name).getRawData();
    }

    private TensorProto tensor(String name) {
        for (TensorProto t : proto.getGraph().getInitializerList()) {
            if (t.getName().equals(name)) {
                return t;
            }
        }
        throw new ModelException("no initializer named '" + name + "'");
    }

    @Override
    public Map<String, FloatTensor> parameters() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (TensorProto t : proto.getGraph().getInitializerList()) {
            if (t.getDataType() == OnnxTensors.FLOAT) {
                out.put(t.getName(), new FloatTensor(OnnxTensors.dims(t), OnnxTensors.floats(t)));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** The model's metadata_props as a map. */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        for (StringStringEntryProto e : proto.getMetadataPropsList()) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    // ------------------------------------------------------------------------------------------------ edits

    /** This model with one initializer replaced by float32 values of the given dims (shape may change; graph
     * inputs and value_info entries of the same name are updated). */
    public OnnxModel withInitializer(String name, float[] data, long[] dims) {
        return withInitializers(Map.of(name, new FloatTensor(dims.clone(), data)));
    }

    /** This model with several initializers replaced. */
    public OnnxModel withInitializers(Map<String, FloatTensor> changed) {
        return derived(OnnxEdits.withInitializers(proto, changed, this::headExtraction));
    }

    @Override
    public OnnxModel withParameters(Map<String, FloatTensor> changed) {
        return withInitializers(changed);
    }

    /**
     * This model with the given network's values written into the tensors the dense view came from. The network
     * must have the same number of layers and activations as {@link #dense()}; layer widths may differ (stored
     * shapes of weights, biases and intermediate values are updated).
     */
    @Override
    public OnnxModel withDense(DenseNetwork net) {
        if (net.layers().stream().anyMatch(dev.engram.model.DenseLayer::isInserted)) {
            // new nodes and initializers for the inserted layers, then the values into the grown chain
            OnnxModel grown = derived(OnnxInsertions.insert(proto, extraction(), net));
            return grown.withInitializers(OnnxEdits.denseToInitializers(grown.extraction(), net, grown.parameters()));
        }
        return withInitializers(OnnxEdits.denseToInitializers(extraction(), net, parameters()));
    }

    /**
     * This model with the head's values written into the tensors {@link #head()} came from (and its inserted ReLU
     * layers added as new nodes), exactly as {@link #withDense} for a dense chain; the prefix before the head keeps
     * every node and stored bit.
     */
    @Override
    public OnnxModel withHead(DenseNetwork net) {
        if (net.layers().stream().anyMatch(dev.engram.model.DenseLayer::isInserted)) {
            OnnxModel grown = derived(OnnxInsertions.insert(proto, headExtraction(), net));
            return grown.withInitializers(OnnxEdits.denseToInitializers(grown.headExtraction(), net,
                    grown.parameters()));
        }
        return withInitializers(OnnxEdits.denseToInitializers(headExtraction(), net, parameters()));
    }

    /**
     * This model with {@code x' = x · keep + fill} in front of its input ({@link OnnxInputMask}): inputs with
     * {@code keep = 1, fill = 0} are kept bit for bit, those with {@code keep = 0} replaced by {@code fill} for every
     * finite value. Every existing node and parameter keeps its bits.
     */
    public OnnxModel withInputMask(float[] keep, float[] fill) {
        List<String> ins = inputNames();
        if (ins.size() != 1) {
            throw new ModelException("an input mask needs a model with one input, not " + ins.size());
        }
        return derived(OnnxInputMask.insert(proto, ins.get(0), keep, fill));
    }

    private OnnxModel derived(ModelProto m) {
        return new OnnxModel(m, source, null, warnings, limits);
    }

    // ----------------------------------------------------------------------------------------------- output

    @Override
    public byte[] toBytes() {
        return proto.toByteArray();
    }

    @Override
    public void write(Path out) {
        if (source != null && Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            try {
                if (Files.isSameFile(source, out)) {
                    throw new ModelException(out + ": refusing to overwrite the input model in place");
                }
            } catch (IOException ignored) {
                // different files
            }
        }
        AtomicFiles.write(out, ch -> {
            try (OutputStream os = AtomicFiles.stream(ch)) {
                CodedOutputStream cos = CodedOutputStream.newInstance(os, 1 << 16);
                proto.writeTo(cos);
                cos.flush();
            }
        });
    }

    @Override
    public String sha256() {
        String s = sha;
        if (s == null) {
            sha = s = AtomicFiles.sha256(sourceBytes != null ? sourceBytes : toBytes());
        }
        return s;
    }
}
