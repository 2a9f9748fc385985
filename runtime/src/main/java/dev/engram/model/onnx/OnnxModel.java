package dev.engram.model.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.FloatTensor;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.ModelFormat;
import dev.engram.model.ModelLimits;
import dev.engram.model.graph.Attribute;
import dev.engram.model.graph.DenseExtraction;
import dev.engram.model.graph.DenseExtractor;
import dev.engram.model.graph.Graph;
import dev.engram.model.graph.Node;
import dev.engram.model.graph.TensorValue;
import dev.engram.model.graph.ValueInfo;
import dev.engram.model.io.AtomicFiles;
import dev.engram.model.onnx.proto.OnnxProto.AttributeProto;
import dev.engram.model.onnx.proto.OnnxProto.GraphProto;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.NodeProto;
import dev.engram.model.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.engram.model.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorShapeProto;
import dev.engram.model.onnx.proto.OnnxProto.TypeProto;
import dev.engram.model.onnx.proto.OnnxProto.ValueInfoProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX model held as its protobuf message (fields we do not model are kept as unknown fields and written back
 * unchanged), with a lazily built typed {@link Graph} and {@link DenseNetwork} view. Immutable.
 *
 * <p>External tensor data is resolved at load time (only from inside the model's folder) and inlined.
 */
public final class OnnxModel implements LoadedModel {

    private static final int FLOAT = 1;

    private final ModelProto proto;
    private final Path source;
    private final byte[] sourceBytes; // the file as read (raw tensors alias it); hashed lazily
    private final List<String> warnings;
    private volatile Graph graph;
    private volatile DenseExtraction extraction;
    private volatile String sha;

    private OnnxModel(ModelProto proto, Path source, byte[] sourceBytes, List<String> warnings) {
        this.proto = proto;
        this.source = source;
        this.sourceBytes = sourceBytes;
        this.warnings = List.copyOf(warnings);
    }

    /** Reads and validates an ONNX file with the default limits. */
    public static OnnxModel read(Path path) {
        return read(path, ModelLimits.defaults());
    }

    /** Reads and validates an ONNX file. */
    public static OnnxModel read(Path path, ModelLimits limits) {
        byte[] bytes = AtomicFiles.read(path, limits.maxFileBytes());
        Path dir = path.toAbsolutePath().getParent();
        return parse(bytes, dir, path, limits);
    }

    /**
     * Parses and validates ONNX bytes; {@code dir} is the folder external data may be read from (null: none);
     * {@code source} labels error messages (may be null).
     */
    public static OnnxModel parse(byte[] bytes, Path dir, Path source, ModelLimits limits) {
        String label = source == null ? "<onnx>" : source.toString();
        ModelProto m;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            in.setRecursionLimit(64);
            m = ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new ModelException(label + ": not a valid ONNX protobuf: " + e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            throw new ModelException(label + ": not a valid ONNX protobuf: " + e);
        }
        List<String> warnings = new ArrayList<>();
        m = validate(m, dir, limits, label, warnings);
        return new OnnxModel(m, source, bytes, warnings);
    }

    /** Wraps a protobuf model built in memory (validated). */
    public static OnnxModel of(ModelProto proto) {
        List<String> warnings = new ArrayList<>();
        ModelProto m = validate(proto, null, ModelLimits.defaults(), "<onnx>", warnings);
        return new OnnxModel(m, null, null, warnings);
    }

    // ---------------------------------------------------------------------------------------------- validation

    private static ModelProto validate(ModelProto m, Path dir, ModelLimits limits, String label,
                                       List<String> warnings) {
        if (!m.hasGraph()) {
            throw new ModelException(label + ": no graph (not an ONNX model, or truncated)");
        }
        GraphProto g = m.getGraph();
        if (g.getNodeCount() > limits.maxNodes()) {
            throw new ModelException(label + ": " + g.getNodeCount() + " nodes exceed the cap of " + limits.maxNodes());
        }
        GraphProto.Builder gb = null;
        Set<String> names = new HashSet<>();
        for (int k = 0; k < g.getInitializerCount(); k++) {
            TensorProto t = g.getInitializer(k);
            if (!t.hasName() || t.getName().isEmpty()) {
                throw new ModelException(label + ": initializer #" + k + " has no name");
            }
            if (!names.add(t.getName())) {
                throw new ModelException(label + ": duplicate initializer '" + t.getName() + "'");
            }
            if (t.getDataLocation() == 1 || t.getExternalDataCount() > 0) {
                TensorProto inlined = inlineExternal(t, dir, limits, label);
                if (gb == null) {
                    gb = g.toBuilder();
                }
                gb.setInitializer(k, inlined);
                t = inlined;
            }
            checkTensor(t, limits, label, warnings);
        }
        if (gb != null) {
            g = gb.build();
            m = m.toBuilder().setGraph(g).build();
        }
        for (NodeProto n : g.getNodeList()) {
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasT()) {
                    if (a.getT().getDataLocation() == 1) {
                        throw new ModelException(label + ": node '" + n.getName() + "' has an external attribute tensor");
                    }
                    checkTensor(a.getT(), limits, label, warnings);
                }
            }
        }
        checkTopology(g, names, label);
        return m;
    }

    private static int elementSize(int dataType) {
        return switch (dataType) {
            case 1, 6, 12 -> 4; // float, int32, uint32
            case 7, 11, 13 -> 8; // int64, double, uint64
            case 2, 3, 9 -> 1; // uint8, int8, bool
            case 4, 5, 10, 16 -> 2; // uint16, int16, float16, bfloat16
            default -> -1;
        };
    }

    private static void checkTensor(TensorProto t, ModelLimits limits, String label, List<String> warnings) {
        String what = label + ": tensor '" + t.getName() + "'";
        long[] dims = new long[t.getDimsCount()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
        }
        long n = limits.checkDims(what, dims);
        int es = elementSize(t.getDataType());
        if (t.hasRawData()) {
            if (es < 0) {
                throw new ModelException(what + ": raw data of unsupported data type " + t.getDataType());
            }
            long have = t.getRawData().size();
            if (have != n * es) {
                throw new ModelException(what + ": raw data has " + have + " bytes but dims "
                        + Arrays.toString(dims) + " need " + n * es);
            }
        } else {
            long have = switch (t.getDataType()) {
                case 1 -> t.getFloatDataCount();
                case 11 -> t.getDoubleDataCount();
                case 7 -> t.getInt64DataCount();
                case 12, 13 -> t.getUint64DataCount();
                case 8 -> t.getStringDataCount();
                default -> t.getInt32DataCount();
            };
            if (have != n) {
                throw new ModelException(what + ": holds " + have + " values but dims " + Arrays.toString(dims)
                        + " need " + n);
            }
        }
        if (t.getDataType() == FLOAT) {
            int bad = 0;
            if (t.hasRawData()) {
                bad = nonFiniteRaw(t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
            } else {
                for (float x : t.getFloatDataList()) {
                    if (!Float.isFinite(x)) {
                        bad++;
                    }
                }
            }
            if (bad > 0) {
                warnings.add(what + ": " + bad + " NaN/Inf value(s)");
            }
        }
    }

    /**
     * Counts the NaN/Inf floats in little-endian raw data (from its position), two per 64-bit word without branches: masking the
     * exponents and adding one to each exponent field carries into a half's top bit exactly when that exponent
     * was all ones (no carry crosses the halves).
     */
    static int nonFiniteRaw(java.nio.ByteBuffer raw) {
        final long exps = 0x7f8000007f800000L;
        final long one = 0x0080000000800000L;
        final long tops = 0x8000000080000000L;
        java.nio.LongBuffer lb = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        // bulk copies of 64 KB into a long[] (a memcpy while the byte order is native), then a tight loop:
        // several times faster than reading the buffer view one element at a time
        long[] chunk = new long[Math.min(8192, lb.remaining())];
        long bad = 0;
        while (lb.hasRemaining()) {
            int n = Math.min(chunk.length, lb.remaining());
            lb.get(chunk, 0, n);
            long any = 0;
            for (int i = 0; i < n; i++) { // vectorisable: no NaN/Inf in the chunk is the common case
                any |= (chunk[i] & exps) + one;
            }
            if ((any & tops) != 0) {
                for (int i = 0; i < n; i++) {
                    bad += Long.bitCount(((chunk[i] & exps) + one) & tops);
                }
            }
        }
        int ints = raw.remaining() / 4;
        if ((ints & 1) != 0) {
            int last = raw.order(ByteOrder.LITTLE_ENDIAN).getInt(raw.position() + (ints - 1) * 4);
            if ((last & 0x7f800000) == 0x7f800000) {
                bad++;
            }
        }
        return (int) bad;
    }

    private static TensorProto inlineExternal(TensorProto t, Path dir, ModelLimits limits, String label) {
        String what = label + ": tensor '" + t.getName() + "'";
        if (dir == null) {
            throw new ModelException(what + ": external data but no model folder to read it from");
        }
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> { }
                }
            } catch (NumberFormatException ex) {
                throw new ModelException(what + ": bad external data " + e.getKey() + " '" + e.getValue() + "'");
            }
        }
        if (location == null || location.isEmpty()) {
            throw new ModelException(what + ": external data without a location");
        }
        try {
            Path base = dir.toRealPath();
            Path rel = Path.of(location);
            if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\")) {
                throw new ModelException(what + ": external data path '" + location + "' is absolute");
            }
            Path p = base.resolve(rel).normalize();
            if (!p.startsWith(base)) {
                throw new ModelException(what + ": external data path '" + location + "' escapes the model folder");
            }
            if (!Files.isRegularFile(p)) {
                throw new ModelException(what + ": external data file '" + location + "' not found");
            }
            Path real = p.toRealPath();
            if (!real.startsWith(base)) {
                throw new ModelException(what + ": external data path '" + location
                        + "' escapes the model folder through a link");
            }
            long size = Files.size(real);
            if (offset < 0 || offset > size) {
                throw new ModelException(what + ": external data offset " + offset + " outside the file");
            }
            if (length < 0) {
                length = size - offset;
            }
            if (length > size - offset || length > limits.maxFileBytes()) {
                throw new ModelException(what + ": external data length " + length + " exceeds the file");
            }
            long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
            long n = limits.checkDims(what, dims);
            int es = elementSize(t.getDataType());
            if (es < 0 || n * es != length) {
                throw new ModelException(what + ": external data has " + length + " bytes but dims "
                        + Arrays.toString(dims) + " need " + (es < 0 ? "?" : n * es));
            }
            byte[] data = new byte[(int) length];
            try (FileChannel ch = FileChannel.open(real, StandardOpenOption.READ)) {
                ByteBuffer bb = ByteBuffer.wrap(data);
                long pos = offset;
                while (bb.hasRemaining()) {
                    int r = ch.read(bb, pos);
                    if (r < 0) {
                        throw new ModelException(what + ": external data file ends early");
                    }
                    pos += r;
                }
            }
            return t.toBuilder().clearExternalData().clearDataLocation()
                    .setRawData(UnsafeByteOperations.unsafeWrap(data)).build();
        } catch (IOException e) {
            throw new ModelException(what + ": cannot read external data: " + e.getMessage());
        } catch (java.nio.file.InvalidPathException e) {
            throw new ModelException(what + ": invalid external data path '" + location + "'");
        }
    }

    private static void checkTopology(GraphProto g, Set<String> initializers, String label) {
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            for (String o : g.getNode(i).getOutputList()) {
                if (o.isEmpty()) {
                    continue;
                }
                if (producer.put(o, i) != null || initializers.contains(o)) {
                    throw new ModelException(label + ": value '" + o + "' is produced more than once");
                }
            }
        }
        Set<String> available = new HashSet<>(initializers);
        for (ValueInfoProto v : g.getInputList()) {
            available.add(v.getName());
        }
        int[] indeg = new int[g.getNodeCount()];
        List<List<Integer>> succ = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            succ.add(new ArrayList<>());
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            for (String in : n.getInputList()) {
                if (in.isEmpty()) {
                    continue;
                }
                Integer p = producer.get(in);
                if (p != null) {
                    indeg[i]++;
                    succ.get(p).add(i);
                } else if (!available.contains(in)) {
                    throw new ModelException(label + ": node '" + n.getName() + "' (" + n.getOpType() + ") reads '"
                            + in + "', which is neither a graph input, an initializer nor a node output"
                            + " (missing initializer?)");
                }
            }
        }
        Deque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < indeg.length; i++) {
            if (indeg[i] == 0) {
                ready.add(i);
            }
        }
        int seen = 0;
        while (!ready.isEmpty()) {
            int i = ready.poll();
            seen++;
            for (int s : succ.get(i)) {
                if (--indeg[s] == 0) {
                    ready.add(s);
                }
            }
        }
        if (seen != g.getNodeCount()) {
            for (int i = 0; i < indeg.length; i++) {
                if (indeg[i] > 0) {
                    throw new ModelException(label + ": the graph has a cycle through node '" + g.getNode(i).getName()
                            + "' (" + g.getNode(i).getOpType() + ")");
                }
            }
        }
        for (ValueInfoProto o : g.getOutputList()) {
            if (!producer.containsKey(o.getName()) && !available.contains(o.getName())) {
                throw new ModelException(label + ": graph output '" + o.getName() + "' is never produced");
            }
        }
    }

    // ------------------------------------------------------------------------------------------ tensor codec

    /** Decodes a FLOAT (or DOUBLE) tensor's values. */
    static float[] floats(TensorProto t) {
        int n = 1;
        for (long d : t.getDimsList()) {
            n = Math.multiplyExact(n, (int) d);
        }
        float[] out = new float[n];
        if (t.getDataType() == FLOAT) {
            if (t.hasRawData()) {
                t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            } else {
                for (int i = 0; i < n; i++) {
                    out[i] = t.getFloatData(i);
                }
            }
        } else if (t.getDataType() == 11) {
            if (t.hasRawData()) {
                java.nio.DoubleBuffer db = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN)
                        .asDoubleBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = (float) db.get(i);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) t.getDoubleData(i);
                }
            }
        } else {
            throw new ModelException("tensor '" + t.getName() + "' is not float (data type " + t.getDataType() + ")");
        }
        return out;
    }

    private static long[] longs(TensorProto t) {
        int n = 1;
        for (long d : t.getDimsList()) {
            n = Math.multiplyExact(n, (int) d);
        }
        long[] out = new long[n];
        if (t.hasRawData()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                out[i] = t.getDataType() == 7 ? b.getLong(i * 8) : b.getInt(i * 4);
            }
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = t.getDataType() == 7 ? t.getInt64Data(i) : t.getInt32Data(i);
            }
        }
        return out;
    }

    private static TensorValue decode(TensorProto t) {
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int dt = t.getDataType();
        if (dt == FLOAT || dt == 11) {
            return new TensorValue(t.getName(), dt, dims, floats(t), null);
        }
        if (dt == 6 || dt == 7) {
            return new TensorValue(t.getName(), dt, dims, null, longs(t));
        }
        return new TensorValue(t.getName(), dt, dims, null, null);
    }

    /** Encodes float32 values as an ONNX FLOAT tensor with raw little-endian data. */
    public static TensorProto encode(String name, float[] data, long[] dims) {
        return encodeInto(TensorProto.newBuilder().setName(name), data, dims);
    }

    private static TensorProto encodeInto(TensorProto.Builder b, float[] data, long[] dims) {
        byte[] raw = new byte[data.length * 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(data);
        b.clearDims();
        for (long d : dims) {
            b.addDims(d);
        }
        return b.setDataType(FLOAT).clearFloatData().clearDoubleData().clearInt32Data().clearInt64Data()
                .clearUint64Data().clearExternalData().clearDataLocation()
                .setRawData(UnsafeByteOperations.unsafeWrap(raw)).build();
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
            graph = g = toGraph(proto.getGraph());
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
        for (TensorProto t : proto.getGraph().getInitializerList()) {
            if (t.getName().equals(name)) {
                return new FloatTensor(t.getDimsList().stream().mapToLong(Long::longValue).toArray(), floats(t));
            }
        }
        throw new ModelException("no initializer named '" + name + "'");
    }

    @Override
    public Map<String, FloatTensor> parameters() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (TensorProto t : proto.getGraph().getInitializerList()) {
            if (t.getDataType() == FLOAT) {
                out.put(t.getName(),
                        new FloatTensor(t.getDimsList().stream().mapToLong(Long::longValue).toArray(), floats(t)));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static Graph toGraph(GraphProto g) {
        Map<String, TensorValue> inits = new LinkedHashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            inits.put(t.getName(), decode(t));
        }
        List<Node> nodes = new ArrayList<>();
        for (NodeProto n : g.getNodeList()) {
            Map<String, Attribute> attrs = new LinkedHashMap<>();
            for (AttributeProto a : n.getAttributeList()) {
                attrs.put(a.getName(), new Attribute(a.getName(), a.getType(), a.getF(), a.getI(),
                        a.getS().toStringUtf8(),
                        toArray(a.getFloatsList()), a.getIntsList().stream().mapToLong(Long::longValue).toArray(),
                        a.hasT() ? decode(a.getT()) : null));
            }
            nodes.add(new Node(n.getName(), n.getOpType(), n.getDomain(), n.getInputList(), n.getOutputList(), attrs));
        }
        List<ValueInfo> ins = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) {
            ins.add(valueInfo(v));
        }
        List<ValueInfo> outs = new ArrayList<>();
        for (ValueInfoProto v : g.getOutputList()) {
            outs.add(valueInfo(v));
        }
        Map<String, ValueInfo> vis = new LinkedHashMap<>();
        for (ValueInfoProto v : g.getValueInfoList()) {
            vis.put(v.getName(), valueInfo(v));
        }
        return new Graph(g.getName(), ins, outs, nodes, inits, vis);
    }

    private static float[] toArray(List<Float> l) {
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = l.get(i);
        }
        return f;
    }

    private static ValueInfo valueInfo(ValueInfoProto v) {
        if (!v.hasType() || !v.getType().hasTensorType()) {
            return new ValueInfo(v.getName(), 0, null, null);
        }
        TypeProto.Tensor t = v.getType().getTensorType();
        if (!t.hasShape()) {
            return new ValueInfo(v.getName(), t.getElemType(), null, null);
        }
        int r = t.getShape().getDimCount();
        long[] dims = new long[r];
        String[] params = new String[r];
        for (int i = 0; i < r; i++) {
            TensorShapeProto.Dimension d = t.getShape().getDim(i);
            dims[i] = d.hasDimValue() ? d.getDimValue() : -1;
            params[i] = d.hasDimParam() ? d.getDimParam() : null;
        }
        return new ValueInfo(v.getName(), t.getElemType(), dims, params);
    }

    // ------------------------------------------------------------------------------------------------ edits

    /** This model with one initializer replaced by float32 values of the given dims (shape may change; graph
     * inputs and value_info entries of the same name are updated). */
    public OnnxModel withInitializer(String name, float[] data, long[] dims) {
        return withInitializers(Map.of(name, new FloatTensor(dims.clone(), data)));
    }

    /** This model with several initializers replaced. */
    public OnnxModel withInitializers(Map<String, FloatTensor> changed) {
        GraphProto.Builder gb = proto.getGraph().toBuilder();
        Set<String> done = new HashSet<>();
        Map<String, long[]> newShapes = new HashMap<>();
        for (int k = 0; k < gb.getInitializerCount(); k++) {
            TensorProto t = gb.getInitializer(k);
            FloatTensor v = changed.get(t.getName());
            if (v == null) {
                continue;
            }
            if (t.getDataType() != FLOAT) {
                throw new ModelException("initializer '" + t.getName() + "' is not float32");
            }
            gb.setInitializer(k, encodeInto(t.toBuilder(), v.data(), v.dims()));
            done.add(t.getName());
            if (!Arrays.equals(v.dims(), t.getDimsList().stream().mapToLong(Long::longValue).toArray())) {
                newShapes.put(t.getName(), v.dims());
            }
        }
        for (String n : changed.keySet()) {
            if (!done.contains(n)) {
                throw new ModelException("no initializer named '" + n + "'");
            }
        }
        if (!newShapes.isEmpty()) {
            reshapeValueInfos(gb, newShapes, false);
            reshapeLayerValues(gb, newShapes);
        }
        return derived(proto.toBuilder().setGraph(gb).build());
    }

    /** When a layer's weight changes width, the stored shapes of the layer's intermediate values follow. */
    private void reshapeLayerValues(GraphProto.Builder gb, Map<String, long[]> newShapes) {
        DenseExtraction ex;
        try {
            ex = extraction();
        } catch (ModelException e) {
            return; // not a dense graph: only initializer shapes are known
        }
        Map<String, long[]> valueShapes = new HashMap<>();
        for (int l = 0; l < ex.layers().size(); l++) {
            DenseExtraction.LayerSource src = ex.layers().get(l);
            long[] wd = src.weightName() == null ? null : newShapes.get(src.weightName());
            if (wd == null || wd.length != 2) {
                continue;
            }
            long out = src.weightTransposed() ? wd[1] : wd[0];
            int old = ex.network().layers().get(l).outputSize();
            if (out != old) {
                for (String v : src.values()) {
                    valueShapes.put(v, new long[] {old, out});
                }
            }
        }
        if (!valueShapes.isEmpty()) {
            reshapeValueInfos(gb, valueShapes, true);
        }
    }

    @Override
    public OnnxModel withParameters(Map<String, FloatTensor> changed) {
        return withInitializers(changed);
    }

    private OnnxModel derived(ModelProto m) {
        return new OnnxModel(m, source, null, warnings);
    }

    /** Sets the stored shapes of the named values (graph inputs/outputs, value_info); with {@code widthOnly} the
     * dims are {@code {old width, new width}} and only the last dimension equal to the old width changes. */
    private static void reshapeValueInfos(GraphProto.Builder gb, Map<String, long[]> shapes, boolean widthOnly) {
        for (int i = 0; i < gb.getInputCount(); i++) {
            ValueInfoProto v = gb.getInput(i);
            if (shapes.containsKey(v.getName())) {
                gb.setInput(i, reshape(v, shapes.get(v.getName()), widthOnly));
            }
        }
        for (int i = 0; i < gb.getOutputCount(); i++) {
            ValueInfoProto v = gb.getOutput(i);
            if (shapes.containsKey(v.getName())) {
                gb.setOutput(i, reshape(v, shapes.get(v.getName()), widthOnly));
            }
        }
        for (int i = 0; i < gb.getValueInfoCount(); i++) {
            ValueInfoProto v = gb.getValueInfo(i);
            if (shapes.containsKey(v.getName())) {
                gb.setValueInfo(i, reshape(v, shapes.get(v.getName()), widthOnly));
            }
        }
    }

    private static ValueInfoProto reshape(ValueInfoProto v, long[] dims, boolean widthOnly) {
        if (!v.hasType() || !v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
            return v;
        }
        TensorShapeProto shape = v.getType().getTensorType().getShape();
        TensorShapeProto.Builder sb = shape.toBuilder();
        if (widthOnly) {
            int r = shape.getDimCount();
            if (r == 0) {
                return v;
            }
            // dims = {old width, new width}: change the last dimension holding the old width
            int k = r - 1;
            while (k > 0 && !(shape.getDim(k).hasDimValue() && shape.getDim(k).getDimValue() == dims[0])) {
                k--;
            }
            if (!(shape.getDim(k).hasDimValue() && shape.getDim(k).getDimValue() == dims[0])) {
                return v;
            }
            sb.setDim(k, shape.getDim(k).toBuilder().setDimValue(dims[1]));
        } else {
            sb.clearDim();
            for (long d : dims) {
                sb.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
        }
        ValueInfoProto.Builder vb = v.toBuilder();
        vb.getTypeBuilder().getTensorTypeBuilder().setShape(sb);
        return vb.build();
    }

    /**
     * This model with the given network's values written into the tensors the dense view came from. The network
     * must have the same number of layers and activations as {@link #dense()}; layer widths may differ (stored
     * shapes of weights, biases and intermediate values are updated).
     */
    @Override
    public OnnxModel withDense(DenseNetwork net) {
        DenseExtraction ex = extraction();
        List<DenseLayer> old = ex.network().layers();
        if (net.layers().size() != old.size()) {
            throw new ModelException("the network has " + net.layers().size() + " layers, the model "
                    + old.size());
        }
        if (net.inputSize() != ex.network().inputSize()) {
            throw new ModelException("the network takes " + net.inputSize() + " inputs, the model "
                    + ex.network().inputSize());
        }
        Map<String, FloatTensor> changed = new LinkedHashMap<>();
        for (int l = 0; l < old.size(); l++) {
            DenseLayer nl = net.layers().get(l);
            DenseLayer ol = old.get(l);
            DenseExtraction.LayerSource src = ex.layers().get(l);
            if (nl.activation() != ol.activation()
                    || (nl.activation() == Activation.LEAKY_RELU && nl.alpha() != ol.alpha())) {
                throw new ModelException("layer " + ol.name() + ": activation changed from " + ol.activation()
                        + " to " + nl.activation());
            }
            int out = nl.outputSize();
            int in = nl.inputSize();
            float a = src.alpha();
            float[] w = new float[out * in];
            long[] wd;
            if (src.weightTransposed()) {
                wd = new long[] {in, out};
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        w[i * out + o] = a == 1f ? nl.weight()[o][i] : nl.weight()[o][i] / a;
                    }
                }
            } else {
                wd = new long[] {out, in};
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < in; i++) {
                        w[o * in + i] = a == 1f ? nl.weight()[o][i] : nl.weight()[o][i] / a;
                    }
                }
            }
            if (src.weightName() == null) {
                if (!sameValues(nl.weight(), ol.weight())) {
                    throw new ModelException("layer " + ol.name() + ": its weight is not an initializer and cannot change");
                }
            } else {
                changed.put(src.weightName(), new FloatTensor(wd, w));
            }
            float[] b = nl.bias().clone();
            if (l == 0 && ex.inputOffset() != null) { // stored b = b' + W c
                for (int o = 0; o < out; o++) {
                    float s = 0f;
                    for (int i = 0; i < in; i++) {
                        s += nl.weight()[o][i] * ex.inputOffset()[i];
                    }
                    b[o] += s;
                }
            }
            if (src.beta() != 1f) {
                for (int o = 0; o < out; o++) {
                    b[o] /= src.beta();
                }
            }
            if (src.biasName() == null) {
                for (float v : nl.bias()) {
                    if (v != 0f && ex.inputOffset() == null) {
                        throw new ModelException("layer " + ol.name() + " has no bias tensor to write a bias into");
                    }
                }
            } else {
                long[] bd = src.biasDims().clone();
                bd[widthAxis(bd, ol.outputSize())] = out;
                changed.put(src.biasName(), new FloatTensor(bd, b));
            }
        }
        return withInitializers(changed);
    }

    private static int widthAxis(long[] dims, int width) {
        for (int k = dims.length - 1; k >= 0; k--) {
            if (dims[k] == width) {
                return k;
            }
        }
        return dims.length - 1;
    }

    private static boolean sameValues(float[][] a, float[][] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!Arrays.equals(a[i], b[i])) {
                return false;
            }
        }
        return true;
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
            try (java.io.OutputStream os = AtomicFiles.stream(ch)) {
                com.google.protobuf.CodedOutputStream cos = com.google.protobuf.CodedOutputStream.newInstance(os, 1 << 16);
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

    // -------------------------------------------------------------------------------------------- building

    /**
     * Builds an ONNX model (ir_version 7, opset 13) for a dense network: input {@code inputName} float [N,in],
     * then per layer MatMul (W stored [in][out]) or Gemm (transB=1, W stored [out][in]), Add, activation.
     */
    public static OnnxModel fromDense(DenseNetwork net, String inputName, String outputName, boolean gemm,
                                      Map<String, String> metadata) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("engram_dense");
        g.addInput(tensorInfo(inputName, 1, net.inputSize()));
        String cur = inputName;
        for (int l = 0; l < net.layers().size(); l++) {
            DenseLayer layer = net.layers().get(l);
            int in = layer.inputSize();
            int out = layer.outputSize();
            String wn = "layer" + l + ".weight";
            String bn = "layer" + l + ".bias";
            boolean last = l == net.layers().size() - 1;
            boolean act = layer.activation() != Activation.IDENTITY;
            String lin = last && !act ? outputName : "layer" + l + ".linear";
            if (gemm) {
                g.addInitializer(encode(wn, FloatTensor.matrix(layer.weight()).data(), new long[] {out, in}));
                g.addInitializer(encode(bn, layer.bias(), new long[] {out}));
                g.addNode(NodeProto.newBuilder().setName("layer" + l + ".gemm").setOpType("Gemm").addInput(cur)
                        .addInput(wn).addInput(bn).addOutput(lin)
                        .addAttribute(AttributeProto.newBuilder().setName("transB").setType(2).setI(1)));
            } else {
                float[] w = new float[in * out];
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < in; i++) {
                        w[i * out + o] = layer.weight()[o][i];
                    }
                }
                g.addInitializer(encode(wn, w, new long[] {in, out}));
                g.addInitializer(encode(bn, layer.bias(), new long[] {out}));
                String mm = "layer" + l + ".matmul";
                g.addNode(NodeProto.newBuilder().setName("layer" + l + ".matmul").setOpType("MatMul").addInput(cur)
                        .addInput(wn).addOutput(mm));
                g.addNode(NodeProto.newBuilder().setName("layer" + l + ".add").setOpType("Add").addInput(mm)
                        .addInput(bn).addOutput(lin));
                g.addValueInfo(tensorInfo(mm, 1, out));
            }
            cur = lin;
            if (act) {
                String an = last ? outputName : "layer" + l + ".act";
                NodeProto.Builder nb = NodeProto.newBuilder().setName("layer" + l + "." + layer.activation()
                        .name().toLowerCase(java.util.Locale.ROOT)).addInput(cur).addOutput(an);
                switch (layer.activation()) {
                    case RELU -> nb.setOpType("Relu");
                    case SIGMOID -> nb.setOpType("Sigmoid");
                    case TANH -> nb.setOpType("Tanh");
                    case LEAKY_RELU -> nb.setOpType("LeakyRelu").addAttribute(AttributeProto.newBuilder()
                            .setName("alpha").setType(1).setF((float) layer.alpha()));
                    default -> throw new IllegalStateException();
                }
                g.addNode(nb);
                if (!last) {
                    g.addValueInfo(tensorInfo(lin, 1, out));
                }
                cur = an;
            }
            if (!last) {
                g.addValueInfo(tensorInfo(cur, 1, out));
            }
        }
        g.addOutput(tensorInfo(outputName, 1, net.outputSize()));
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(7).setProducerName("engram")
                .setProducerVersion("0.1.0").setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13));
        if (metadata != null) {
            metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        }
        return of(m.build());
    }

    /** A float tensor type whose first dimension is the symbolic batch size {@code N}. */
    private static ValueInfoProto tensorInfo(String name, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            s.addDim(i == 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(dims[i]));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(FLOAT).setShape(s))).build();
    }

    /** The model's metadata_props as a map. */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        for (StringStringEntryProto e : proto.getMetadataPropsList()) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    /** ByteString helper for tests: the raw bytes of an initializer as stored. */
    public ByteString rawInitializer(String name) {
        for (TensorProto t : proto.getGraph().getInitializerList()) {
            if (t.getName().equals(name)) {
                return t.getRawData();
            }
        }
        throw new ModelException("no initializer named '" + name + "'");
    }
}
