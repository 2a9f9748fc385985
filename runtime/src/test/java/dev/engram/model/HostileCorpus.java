package dev.engram.model;

import dev.engram.model.dag.OnnxGraphBuilder;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.model.onnx.proto.OnnxProto.AttributeProto;
import dev.engram.model.onnx.proto.OnnxProto.GraphProto;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.NodeProto;
import dev.engram.model.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorProto;
import dev.engram.patch.Patch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes the hostile corpus of {@link HostileInputTest}: every file is generated here from a small valid model,
 * archive or patch (the TorchScript structure cases come from the committed fixtures). {@code secret.bin} sits
 * beside the {@code models/} folder that external data may be read from.
 */
record HostileCorpus(Path dir, List<Case> cases) {

    static final String SECRET = "secret-data-outside-the-folder";

    /** How a file is read. */
    interface Reader {
        void read(Path p, ModelLimits limits) throws Exception;
    }

    static final Reader MODEL = (p, l) -> Models.load(p, l).dense();
    /** Reads the general graph ({@link LoadedModel#dag()}): shapes inferred from the file, checked before use. */
    static final Reader GRAPH = (p, l) -> Models.load(p, l).dag();
    static final Reader PATCH = Patch::read;

    /** One hostile file (relative to the corpus folder), what its error must say, and the limits it is read with. */
    record Case(String file, String expect, ModelLimits limits, Reader reader) {
        Case {
            if (expect == null || expect.isBlank()) {
                throw new IllegalArgumentException(file + ": every case states what its error says");
            }
        }
    }

    static Path resource(String name) throws Exception {
        return Path.of(HostileCorpus.class.getResource("/torchscript/" + name).toURI());
    }

    static ModelProto base() {
        DenseNetwork net = TestData.randomMlp(new Random(1), new int[] {3, 4, 2}, Activation.RELU);
        return OnnxModel.fromDense(net, "x", "y", false, Map.of()).proto();
    }

    static GraphProto.Builder g(ModelProto m) {
        return m.getGraph().toBuilder();
    }

    static ModelProto with(ModelProto m, GraphProto.Builder g) {
        return m.toBuilder().setGraph(g).build();
    }

    static ModelProto withInit(ModelProto m, int k, TensorProto t) {
        return with(m, g(m).setInitializer(k, t));
    }

    static StringStringEntryProto kv(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    /** The first weight stored as external data with the given entries ({@code location} first). */
    static ModelProto external(ModelProto m, String location, String... more) {
        TensorProto.Builder t = m.getGraph().getInitializer(0).toBuilder().clearRawData().setDataLocation(1)
                .addExternalData(kv("location", location));
        for (int i = 0; i + 1 < more.length; i += 2) {
            t.addExternalData(kv(more[i], more[i + 1]));
        }
        return withInit(m, 0, t.build());
    }

    static HostileCorpus write(Path dir) throws Exception {
        HostileCorpus c = new HostileCorpus(dir, new ArrayList<>());
        Files.createDirectories(dir.resolve("models"));
        Files.writeString(dir.resolve("secret.bin"), SECRET);
        c.onnxFiles();
        c.graphFiles();
        c.onnxExternal();
        c.nnetFiles();
        c.torchFiles();
        c.patchFiles();
        return c;
    }

    private void add(String file, byte[] bytes, String expect, ModelLimits limits, Reader reader) throws IOException {
        Files.write(dir.resolve(file), bytes);
        cases.add(new Case(file, expect, limits, reader));
    }

    private void model(String file, byte[] bytes, String expect) throws IOException {
        add(file, bytes, expect, ModelLimits.defaults(), MODEL);
    }

    private void onnx(String name, ModelProto m, String expect) throws IOException {
        model(name + ".onnx", m.toByteArray(), expect);
    }

    // ---------------------------------------------------------------------------------------------------- ONNX

    private void onnxFiles() throws IOException {
        ModelProto m = base();
        byte[] good = m.toByteArray();
        TensorProto w0 = m.getGraph().getInitializer(0);
        model("empty.onnx", new byte[0], "no graph");
        model("truncated.onnx", Arrays.copyOf(good, good.length / 2), "not a valid ONNX protobuf");
        byte[] garbage = new byte[4096];
        new Random(5).nextBytes(garbage);
        model("garbage.onnx", garbage, "not a valid ONNX protobuf");
        model("bad-wiretype.onnx", new byte[] {(byte) 0x3f, 1, 2, 3}, "not a valid ONNX protobuf");
        model("text.onnx", "this is not a model at all\n".getBytes(StandardCharsets.UTF_8), "not a valid ONNX protobuf");
        onnx("raw-length-mismatch", withInit(m, 0, w0.toBuilder().setRawData(w0.getRawData().substring(0, 8)).build()),
                "raw data has 8 bytes but dims [3, 4] need 48");
        onnx("negative-dim", withInit(m, 0, w0.toBuilder().setDims(0, -3).build()), "negative dimension -3");
        onnx("enormous-dims", withInit(m, 0, w0.toBuilder().setDims(0, 1L << 40).setDims(1, 1L << 40).build()),
                "exceeds the element cap");
        onnx("overflow-dims", withInit(m, 0, w0.toBuilder().setDims(0, Long.MAX_VALUE).build()),
                "exceeds the element cap");
        onnx("float-data-count", withInit(m, 0, w0.toBuilder().clearRawData().addFloatData(1f).build()),
                "holds 1 values but dims [3, 4] need 12");
        onnx("string-raw-data", withInit(m, 0, w0.toBuilder().setDataType(8).build()),
                "raw data of unsupported data type 8");
        onnx("unnamed-initializer", withInit(m, 0, w0.toBuilder().clearName().build()), "initializer #0 has no name");
        GraphProto.Builder noInit = g(m);
        noInit.removeInitializer(0);
        onnx("missing-initializer", with(m, noInit), "missing initializer");
        GraphProto.Builder cyc = g(m);
        cyc.setNode(0, cyc.getNode(0).toBuilder().setInput(0, cyc.getNode(cyc.getNodeCount() - 1).getOutput(0)));
        onnx("cycle", with(m, cyc), "cycle");
        GraphProto.Builder unk = g(m);
        unk.setNode(1, unk.getNode(1).toBuilder().setOpType("FancyConv"));
        onnx("unknown-operator", with(m, unk), "unsupported operator 'FancyConv'");
        GraphProto.Builder dom = g(m);
        dom.setNode(1, dom.getNode(1).toBuilder().setDomain("com.evil"));
        onnx("custom-domain", with(m, dom), "unsupported operator 'com.evil:Add'");
        onnx("no-graph", ModelProto.newBuilder().setIrVersion(7).build(), "no graph");
        GraphProto.Builder dup = g(m);
        dup.addInitializer(dup.getInitializer(0));
        onnx("duplicate-initializer", with(m, dup), "duplicate initializer 'layer0.weight'");
        GraphProto.Builder twice = g(m);
        twice.setNode(1, twice.getNode(1).toBuilder().setOutput(0, twice.getNode(0).getOutput(0)));
        onnx("produced-twice", with(m, twice), "produced more than once");
        GraphProto.Builder noOut = g(m);
        noOut.setOutput(0, noOut.getOutput(0).toBuilder().setName("ghost"));
        onnx("output-never-produced", with(m, noOut), "graph output 'ghost' is never produced");
        GraphProto.Builder branch = g(m);
        branch.setNode(2, branch.getNode(2).toBuilder().setInput(0, "x"));
        onnx("branch", with(m, branch), "only chains (no branches) are supported");
        GraphProto.Builder sm = g(m);
        sm.addNode(NodeProto.newBuilder().setName("probs").setOpType("Softmax").addInput("y").addOutput("p"));
        sm.setOutput(0, sm.getOutput(0).toBuilder().setName("p"));
        onnx("softmax-output", with(m, sm), "changes what Y_j means");
        onnxLimits(m);
    }

    /** Graphs whose hostility is in the shapes they compute: sizes from attributes and shape tensors. */
    private void graphFiles() throws IOException {
        graph("graph-pad-huge", 13, new long[] {1, 4}, b -> b.output(b.node("Pad", new String[] {"x",
            b.longs(0, 0, 0, 1L << 40)})), "exceeds the element cap", ModelLimits.defaults());
        graph("graph-reshape-huge", 13, new long[] {1, 4}, b -> b.output(b.node("Reshape", new String[] {"x",
            b.longs(1L << 31, 1L << 31, -1)})), "cannot reshape", ModelLimits.defaults());
        graph("graph-conv-dilation", 13, new long[] {1, 1, 4, 4}, b -> b.output(b.node("Conv", new String[] {"x",
            b.random(1f, 1, 1, 2, 2)}, "dilations", new long[] {1L << 40, 1})), "out of range",
                ModelLimits.defaults());
        graph("graph-pool-window", 13, new long[] {1, 1, 4, 4}, b -> b.output(b.node("MaxPool", "x",
                "kernel_shape", new long[] {Integer.MAX_VALUE, 2})), "does not fit", ModelLimits.defaults());
        graph("graph-unsqueeze-rank", 13, new long[] {1, 4}, b -> b.output(b.node("Unsqueeze", new String[] {"x",
            b.longs(5)})), "axis 5 is out of range", ModelLimits.defaults());
        graph("graph-transpose-perm", 13, new long[] {1, 4}, b -> b.output(b.node("Transpose", "x", "perm",
                new long[] {0, 0})), "is not a permutation", ModelLimits.defaults());
        graph("graph-concat-doubling", 13, new long[] {1, 1 << 10}, b -> {
            String y = "x";
            for (int i = 0; i < 40; i++) {
                y = b.node("Concat", new String[] {y, y}, "axis", 1L);
            }
            b.output(y);
        }, "would exceed the model's cap of 536870912 elements", ModelLimits.defaults());
        graph("graph-activations-budget", 13, new long[] {1, 1 << 12}, b -> {
            String y = "x";
            for (int i = 0; i < 64; i++) {
                y = b.node("Relu", y);
            }
            b.output(y);
        }, "would exceed the model's cap of 100000 elements", new ModelLimits(1 << 20, 100_000, 1000, 64));
        graph("graph-softmax", 13, new long[] {1, 4}, b -> b.output(b.node("Softmax", "x")),
                "unsupported operator 'Softmax'", ModelLimits.defaults());
    }

    private void graph(String name, int opset, long[] dims, java.util.function.Consumer<OnnxGraphBuilder> body,
                       String expect, ModelLimits limits) throws IOException {
        OnnxGraphBuilder b = new OnnxGraphBuilder(opset, new Random(2));
        b.input("x", dims);
        body.accept(b);
        add(name + ".onnx", b.bytes(), expect, limits, GRAPH);
    }

    /** Nesting, node, element and attribute cases. */
    private void onnxLimits(ModelProto m) throws IOException {
        GraphProto deep = GraphProto.newBuilder().setName("leaf").build();
        for (int i = 0; i < 200; i++) {
            deep = GraphProto.newBuilder().addNode(NodeProto.newBuilder().setOpType("If")
                    .addAttribute(AttributeProto.newBuilder().setName("then_branch").setType(5).setG(deep))).build();
        }
        GraphProto.Builder dg = g(m);
        dg.addNode(NodeProto.newBuilder().setOpType("If").addAttribute(AttributeProto.newBuilder().setName("g")
                .setType(5).setG(deep)));
        onnx("deep-nesting", with(m, dg), "not a valid ONNX protobuf");
        add("too-many-nodes.onnx", m.toByteArray(), "nodes exceed the cap of 3",
                new ModelLimits(1 << 20, 1 << 20, 3, 64), MODEL);
        add("too-many-elements.onnx", m.toByteArray(), "would exceed the model's cap of 20 elements",
                new ModelLimits(1 << 20, 20, 1000, 64), MODEL);
        TensorProto huge = TensorProto.newBuilder().setName("c").setDataType(1).addDims(1L << 40).addDims(1L << 40)
                .build();
        GraphProto.Builder ca = g(m);
        ca.addNode(NodeProto.newBuilder().setName("const").setOpType("Constant").addOutput("c")
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(4).setT(huge)));
        onnx("huge-constant", with(m, ca), "exceeds the element cap");
        GraphProto.Builder ea = g(m);
        ea.addNode(NodeProto.newBuilder().setName("const").setOpType("Constant").addOutput("c")
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(4).setT(
                        m.getGraph().getInitializer(1).toBuilder().clearRawData().setDataLocation(1))));
        onnx("external-attribute", with(m, ea), "node 'const' has an external attribute tensor");
    }

    private void onnxIn(String name, ModelProto m, String expect, ModelLimits limits) throws IOException {
        add("models/" + name + ".onnx", m.toByteArray(), expect, limits, MODEL);
    }

    private void onnxExternal() throws IOException {
        ModelProto m = base();
        ModelLimits d = ModelLimits.defaults();
        Files.writeString(dir.resolve("models/short.bin"), "abc");
        Files.write(dir.resolve("models/blob.bin"), new byte[48]);
        onnxIn("ext-traversal", external(m, "../secret.bin"), "escapes the model folder", d);
        onnxIn("ext-absolute", external(m, dir.resolve("secret.bin").toAbsolutePath().toString()), "is absolute", d);
        onnxIn("ext-length", external(m, "short.bin"), "external data has 3 bytes but dims [3, 4] need 48", d);
        onnxIn("ext-missing", external(m, "nope.bin"), "external data file 'nope.bin' not found", d);
        onnxIn("ext-no-location", withInit(m, 0, m.getGraph().getInitializer(0).toBuilder().clearRawData()
                .setDataLocation(1).build()), "external data without a location", d);
        onnxIn("ext-negative-offset", external(m, "blob.bin", "offset", "-5"), "offset -5 outside the file", d);
        onnxIn("ext-offset-beyond", external(m, "blob.bin", "offset", "1000000000000"), "outside the file", d);
        onnxIn("ext-bad-offset", external(m, "blob.bin", "offset", "12abc"), "bad external data offset '12abc'", d);
        onnxIn("ext-huge-length", external(m, "blob.bin", "length", String.valueOf(Long.MAX_VALUE)),
                "exceeds the file", d);
        onnxIn("ext-nul-path", external(m, "blob\u0000.bin"), "invalid external data path", d);
        // two tensors of 300 M floats each: 2.4 GB, refused before a byte of it is read
        GraphProto.Builder big = g(m);
        for (int k = 0; k < 2; k++) {
            big.setInitializer(k, big.getInitializer(k).toBuilder().clearRawData().clearDims().addDims(300_000_000L)
                    .setDataLocation(1).addExternalData(kv("location", "blob.bin")));
        }
        onnxIn("ext-over-budget", with(m, big), "external data of 2 tensor(s)", d);
        // every tensor points into the same small file: the sum counts, not the file size
        GraphProto.Builder shared = g(m);
        for (int k = 0; k < shared.getInitializerCount(); k++) {
            shared.setInitializer(k, shared.getInitializer(k).toBuilder().clearRawData().setDataLocation(1)
                    .addExternalData(kv("location", "blob.bin")).addExternalData(kv("offset", "0")));
        }
        byte[] sb = with(m, shared).toByteArray();
        add("models/ext-shared-file.onnx", sb, "external data of 4 tensor(s)",
                new ModelLimits(sb.length + 60, 1 << 20, 1000, 64), MODEL);
    }

    // ---------------------------------------------------------------------------------------------------- NNet

    private void nnetFiles() throws IOException {
        String nnet = "// x\n2,2,1,3,\n2,3,1,\n0,\n0,0,\n1,1,\n0,0,0,\n1,1,1,\n1,2,\n3,4,\n5,6,\n0,\n0,\n0,\n1,1,1,\n0,\n";
        Files.writeString(dir.resolve("ok-control.nnet"), nnet);
        nnet("truncated", nnet.substring(0, nnet.length() / 2), "can hold at most");
        nnet("cut-in-the-weights", nnet.substring(0, nnet.length() - 8), "layer 1 weight row 0: expected 3 values, found 1");
        nnet("bad-number", nnet.replace("3,4,", "3,four,"), "'four' is not a number");
        nnet("negative-size", nnet.replace("2,3,1,\n", "2,-3,1,\n"), "layer size -3 must be positive");
        nnet("huge-size", nnet.replace("2,3,1,\n", "2,2000000000,1,\n"), "[2000000000, 2] exceeds the element cap");
        nnet("empty", "", "file ends before the header");
        // the header of the old 1 GiB case: 2^28 units of one input, in a file of a few bytes
        nnet("billion-refs", "1,1,268435456,268435456,\n1,268435456,\n0,\n0,\n1,\n0,0,\n1,1,\n",
                "can hold at most");
        nnet("zero-layers", "0,2,1,3,\n", "implausible layer count 0");
        nnet("layers-huge", "2000000000,2,1,3,\n", "implausible layer count 2000000000");
        nnet("header-mismatch", nnet.replace("2,2,1,3,", "2,5,1,3,"), "disagree with the header");
        nnet("short-row", nnet.replace("\n1,2,\n", "\n1,\n"), "expected 2 values, found 1");
        nnet("bad-header", nnet.replace("2,2,1,3,", "2,x,1,3,"), "'x' is not an integer");
    }

    private void nnet(String name, String text, String expect) throws IOException {
        model(name + ".nnet", text.getBytes(StandardCharsets.UTF_8), expect);
    }

    // ---------------------------------------------------------------------------------------------- TorchScript

    private void torchFiles() throws Exception {
        byte[] good = Files.readAllBytes(resource("tiny_mlp.pt"));
        model("truncated.pt", Arrays.copyOf(good, good.length / 2), "no zip directory found");
        model("garbage.pt", "this is not a zip file at all".getBytes(StandardCharsets.UTF_8), "no zip directory found");
        model("empty.pt", new byte[0], "no zip directory found");
        model("plain-zip.pt", zip(Map.of("m/readme.txt", new byte[] {1})), "missing data.pkl");
        model("no-version.pt", zip(Map.of("m/data.pkl", new byte[] {1}, "m/code/__torch__.py", new byte[] {1})),
                "missing version");
        ByteBuffer eocd = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        eocd.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) 60000)
                .putShort((short) 60000).putInt(0).putInt(0).putShort((short) 0);
        model("entry-count.pt", eocd.array(), "claims 60000 entries");
        model("zip-bomb.pt", withEntrySize(good, "tiny_mlp/data/0", 0xFFFFFFF0L), "unpacked");
        byte[] lost = good.clone();
        ByteBuffer.wrap(lost).order(ByteOrder.LITTLE_ENDIAN).putInt(lost.length - 22 + 16, 0x7ffffff0);
        model("directory-offset.pt", lost, "corrupt zip directory");
        model("data-branch.pt", Files.readAllBytes(resource("data_branch.pt")), "cannot read the network exactly");
        model("skip-connection.pt", Files.readAllBytes(resource("skip_connection.pt")), "a call of 'torch.slice'");
    }

    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : new java.util.TreeMap<>(entries).entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
            }
        }
        return out.toByteArray();
    }

    /** The archive with one central directory entry's uncompressed size replaced. */
    static byte[] withEntrySize(byte[] zip, String name, long size) {
        byte[] b = zip.clone();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        for (int p = 0; p + 46 + n.length <= b.length; p++) {
            if (buf.getInt(p) == 0x02014b50 && Short.toUnsignedInt(buf.getShort(p + 28)) == n.length
                    && Arrays.equals(Arrays.copyOfRange(b, p + 46, p + 46 + n.length), n)) {
                buf.putInt(p + 24, (int) size);
                return b;
            }
        }
        throw new IllegalStateException("no entry " + name);
    }

    // -------------------------------------------------------------------------------------------------- .epatch

    /** A patch header: metadata with {@code edits} (a JSON array, stored as a string) and the tensor table. */
    static String header(String meta, String edits, String tensors) {
        return "{\"__metadata__\":{" + meta + "\"edits\":\"" + edits.replace("\"", "\\\"") + "\"}"
                + (tensors.isEmpty() ? "" : "," + tensors) + "}";
    }

    static final String META = "\"format\":\"engram-patch\",\"version\":\"1\",\"rules_sha256\":\"\","
            + "\"compiler_version\":\"t\",";
    static final String EDIT = "[{\"kind\":\"replace\",\"tensor\":\"w\",\"rule\":\"\",\"dims\":[3],\"offset\":1}]";
    static final String TENSORS = "\"e0.values\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"e0.original\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}";

    static byte[] epatch(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    private void patch(String name, byte[] bytes, String expect) throws IOException {
        add(name + ".epatch", bytes, expect, ModelLimits.defaults(), PATCH);
    }

    private void patch(String name, String header, String expect) throws IOException {
        patch(name, epatch(header, 16), expect);
    }

    private void patchFiles() throws IOException {
        Files.write(dir.resolve("ok-control.epatch"), epatch(header(META, EDIT, TENSORS), 16));
        patch("empty", new byte[0], "too short");
        ByteBuffer big = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
        patch("header-length", big.array(), "header length 9223372036854775807 out of range");
        patch("not-json", "{\"__metadata__\": nope}", "bad JSON");
        patch("not-object", "[1,2,3]", "header is not a JSON object");
        patch("no-metadata", "{\"e0.values\":{}}", "not an Engram patch");
        patch("wrong-version", header(META.replace("\"1\"", "\"9\""), EDIT, TENSORS), "unsupported patch version");
        patch("duplicate-key", header(META + "\"format\":\"engram-patch\",", EDIT, TENSORS), "Duplicate field");
        patch("deep-nesting", header(META + "\"x.deep\":" + "[".repeat(500) + "]".repeat(500) + ",", EDIT,
                TENSORS), "nesting depth (65) exceeds the maximum allowed (64)");
        patch("trailing", header(META, EDIT, TENSORS) + "}", "bad JSON");
        patch("offsets-outside", header(META, EDIT, TENSORS.replace("[8,16]", "[8,4000]")),
                "data offsets [8, 4000) outside the 16 data bytes");
        patch("offsets-overlap", header(META, EDIT, TENSORS.replace("[8,16]", "[0,8]")
                + ",\"e1.values\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"), "overlap");
        patch("shape-mismatch", header(META, EDIT, TENSORS.replace("\"shape\":[2],\"data_offsets\":[0,8]",
                "\"shape\":[3],\"data_offsets\":[0,8]")), "does not match 8 bytes");
        patch("negative-dim", header(META, EDIT, TENSORS.replace("\"shape\":[2],\"data_offsets\":[0,8]",
                "\"shape\":[-2],\"data_offsets\":[0,8]")), "negative dimension -2");
        patch("dtype", header(META, EDIT, TENSORS.replace("\"F32\",\"shape\":[2],\"data_offsets\":[0,8]",
                "\"I64\",\"shape\":[2],\"data_offsets\":[0,8]")), "unsupported dtype");
        patch("grow-2-32", header(META, "[{\"kind\":\"grow\",\"tensor\":\"w\",\"rule\":\"\",\"dims\":[2],"
                + "\"new_dims\":[4294967296,4294967296]}]", TENSORS.replace("values", "original")
                .replace("e0.original\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]",
                        "e0.values\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]")),
                "[4294967296, 4294967296] exceeds the element cap");
        patch("dims-overflow", header(META, EDIT.replace("\"dims\":[3]", "\"dims\":[4611686018427387904,4]"),
                TENSORS), "exceeds the element cap");
        patch("unknown-kind", header(META, EDIT.replace("replace", "explode"), TENSORS), "unknown kind \"explode\"");
        patch("missing-tensor", header(META, EDIT, ""), "missing tensor e0.values");
        patch("offset-not-integer", header(META, EDIT.replace("\"offset\":1", "\"offset\":\"one\""), TENSORS),
                "offset must be an integer");
        patch("edits-not-array", header(META, "{}", TENSORS), "edit list is not a JSON array");
        patch("slice-out-of-range", header(META, EDIT.replace("\"offset\":1", "\"offset\":2"), TENSORS),
                "out of range");
        patch("format-not-string", "{\"__metadata__\":{\"format\":7}}", "'format' must be a string, not number");
        patch("huge-number", header(META, EDIT.replace("\"offset\":1", "\"offset\":1" + "0".repeat(5000)),
                TENSORS), "bad JSON");
    }

}
