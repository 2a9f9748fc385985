package dev.engram.model;

import dev.engram.model.onnx.OnnxModel;
import dev.engram.model.onnx.proto.OnnxProto.AttributeProto;
import dev.engram.model.onnx.proto.OnnxProto.GraphProto;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.NodeProto;
import dev.engram.model.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorProto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A corpus of broken and hostile model files generated into a temporary folder; each must be rejected with a
 * {@link ModelException} whose message gives the reason (never an OutOfMemoryError or another exception).
 */
class HostileInputTest {

    static Path dir;
    static final Map<String, String> EXPECT = new LinkedHashMap<>(); // file -> expected fragment of the message

    static ModelProto base() {
        DenseNetwork net = TestData.randomMlp(new Random(1), new int[] {3, 4, 2}, Activation.RELU);
        return OnnxModel.fromDense(net, "x", "y", false, Map.of()).proto();
    }

    static GraphProto.Builder g(ModelProto m) {
        return m.getGraph().toBuilder();
    }

    static void onnx(String name, ModelProto m, String expect) throws IOException {
        bytes(name + ".onnx", m.toByteArray(), expect);
    }

    static void bytes(String name, byte[] b, String expect) throws IOException {
        Files.write(dir.resolve(name), b);
        EXPECT.put(name, expect);
    }

    static ModelProto withInit(ModelProto m, int k, TensorProto t) {
        return m.toBuilder().setGraph(g(m).setInitializer(k, t)).build();
    }

    @BeforeAll
    static void corpus() throws IOException {
        dir = Files.createTempDirectory("hostile");
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.writeString(dir.resolve("secret.bin"), "secret-data-outside-the-folder");
        ModelProto m = base();
        byte[] good = m.toByteArray();
        bytes("empty.onnx", new byte[0], "no graph");
        bytes("truncated.onnx", java.util.Arrays.copyOf(good, good.length / 2), "protobuf");
        byte[] garbage = new byte[4096];
        new Random(5).nextBytes(garbage);
        bytes("garbage.onnx", garbage, "");
        bytes("bad-wiretype.onnx", new byte[] {(byte) 0x3f, 1, 2, 3}, "protobuf");
        bytes("text.onnx", "this is not a model at all\n".getBytes(StandardCharsets.UTF_8), "");
        TensorProto w0 = m.getGraph().getInitializer(0);
        onnx("raw-length-mismatch", withInit(m, 0, w0.toBuilder()
                .setRawData(w0.getRawData().substring(0, 8)).build()), "raw data has 8 bytes");
        onnx("negative-dim", withInit(m, 0, w0.toBuilder().setDims(0, -3).build()), "negative dimension");
        onnx("enormous-dims", withInit(m, 0, w0.toBuilder().setDims(0, 1L << 40).setDims(1, 1L << 40).build()),
                "cap");
        onnx("overflow-dims", withInit(m, 0, w0.toBuilder().setDims(0, Long.MAX_VALUE).build()), "cap");
        onnx("float-data-count", withInit(m, 0, w0.toBuilder().clearRawData().addFloatData(1f).build()),
                "holds 1 values");
        GraphProto.Builder noInit = g(m);
        noInit.removeInitializer(0);
        onnx("missing-initializer", m.toBuilder().setGraph(noInit).build(), "missing initializer");
        GraphProto.Builder cyc = g(m);
        cyc.setNode(0, cyc.getNode(0).toBuilder().setInput(0, cyc.getNode(cyc.getNodeCount() - 1).getOutput(0)));
        onnx("cycle", m.toBuilder().setGraph(cyc).build(), "cycle");
        GraphProto.Builder unk = g(m);
        unk.setNode(1, unk.getNode(1).toBuilder().setOpType("FancyConv"));
        onnx("unknown-operator", m.toBuilder().setGraph(unk).build(), "unsupported operator 'FancyConv'");
        GraphProto.Builder dom = g(m);
        dom.setNode(1, dom.getNode(1).toBuilder().setDomain("com.evil"));
        onnx("custom-domain", m.toBuilder().setGraph(dom).build(), "unsupported operator");
        onnx("no-graph", ModelProto.newBuilder().setIrVersion(7).build(), "no graph");
        GraphProto.Builder dup = g(m);
        dup.addInitializer(dup.getInitializer(0));
        onnx("duplicate-initializer", m.toBuilder().setGraph(dup).build(), "duplicate initializer");
        GraphProto.Builder twice = g(m);
        twice.setNode(1, twice.getNode(1).toBuilder().setOutput(0, twice.getNode(0).getOutput(0)));
        onnx("produced-twice", m.toBuilder().setGraph(twice).build(), "more than once");
        GraphProto.Builder noOut = g(m);
        noOut.setOutput(0, noOut.getOutput(0).toBuilder().setName("ghost"));
        onnx("output-never-produced", m.toBuilder().setGraph(noOut).build(), "never produced");
        GraphProto.Builder branch = g(m);
        branch.setNode(2, branch.getNode(2).toBuilder().setInput(0, "x"));
        onnx("branch", m.toBuilder().setGraph(branch).build(), "");
        // deeply nested attribute graphs: recursion limit
        GraphProto deep = GraphProto.newBuilder().setName("leaf").build();
        for (int i = 0; i < 200; i++) {
            deep = GraphProto.newBuilder().addNode(NodeProto.newBuilder().setOpType("If")
                    .addAttribute(AttributeProto.newBuilder().setName("then_branch").setType(5).setG(deep))).build();
        }
        GraphProto.Builder dg = g(m);
        dg.addNode(NodeProto.newBuilder().setOpType("If").addAttribute(AttributeProto.newBuilder().setName("g")
                .setType(5).setG(deep)));
        onnx("deep-nesting", m.toBuilder().setGraph(dg).build(), "protobuf");
        // external data
        TensorProto.Builder ext = w0.toBuilder().clearRawData().setDataLocation(1);
        onnxIn(models, "ext-traversal", withInit(m, 0, ext.clone().addExternalData(kv("location", "../secret.bin"))
                .build()), "escapes the model folder");
        onnxIn(models, "ext-absolute", withInit(m, 0, ext.clone().addExternalData(kv("location",
                dir.resolve("secret.bin").toAbsolutePath().toString())).build()), "absolute");
        Files.writeString(models.resolve("short.bin"), "abc");
        onnxIn(models, "ext-length", withInit(m, 0, ext.clone().addExternalData(kv("location", "short.bin"))
                .build()), "bytes but dims");
        onnxIn(models, "ext-missing", withInit(m, 0, ext.clone().addExternalData(kv("location", "nope.bin"))
                .build()), "not found");
        try {
            Files.createSymbolicLink(models.resolve("link.bin"), dir.resolve("secret.bin"));
            onnxIn(models, "ext-symlink", withInit(m, 0, ext.clone().addExternalData(kv("location", "link.bin"))
                    .build()), "link");
        } catch (UnsupportedOperationException | IOException ignored) {
            // no symlinks on this file system
        }
        // NNet
        String nnet = "// x\n2,2,1,3,\n2,3,1,\n0,\n0,0,\n1,1,\n0,0,0,\n1,1,1,\n1,2,\n3,4,\n5,6,\n0,\n0,\n0,\n1,1,1,\n0,\n";
        bytes("ok-control.nnet", nnet.getBytes(StandardCharsets.UTF_8), null);
        bytes("truncated.nnet", nnet.substring(0, nnet.length() / 2).getBytes(StandardCharsets.UTF_8), "can hold at most");
        bytes("bad-number.nnet", nnet.replace("3,4,", "3,four,").getBytes(StandardCharsets.UTF_8), "not a number");
        bytes("negative-size.nnet", nnet.replace("2,3,1,\n", "2,-3,1,\n").getBytes(StandardCharsets.UTF_8),
                "must be positive");
        bytes("huge-size.nnet", nnet.replace("2,3,1,\n", "2,2000000000,1,\n").getBytes(StandardCharsets.UTF_8),
                "");
        bytes("empty.nnet", new byte[0], "ends before");
    }

    static StringStringEntryProto kv(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    static void onnxIn(Path models, String name, ModelProto m, String expect) throws IOException {
        Files.write(models.resolve(name + ".onnx"), m.toByteArray());
        EXPECT.put("models/" + name + ".onnx", expect);
    }

    @TestFactory
    List<DynamicTest> everyHostileFileIsRejectedWithAReason() {
        List<DynamicTest> tests = new ArrayList<>();
        assertTrue(EXPECT.size() >= 25, "corpus has " + EXPECT.size() + " files");
        for (Map.Entry<String, String> e : EXPECT.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
                Path p = dir.resolve(e.getKey());
                ModelException ex = assertThrows(ModelException.class, () -> Models.load(p).dense(),
                        e.getKey() + " must be rejected");
                assertNotNull(ex.getMessage());
                System.out.println("[hostile] " + e.getKey() + " -> " + ex.getMessage());
                assertTrue(ex.getMessage().contains(e.getValue()),
                        e.getKey() + ": message '" + ex.getMessage() + "' should mention '" + e.getValue() + "'");
                assertFalse(ex.getMessage().contains("secret-data"));
            }));
        }
        return tests;
    }

    @Test
    void controlFileLoads() {
        assertTrue(Models.load(dir.resolve("ok-control.nnet")).dense().layers().size() == 2);
    }

    @Test
    void nanAndInfWeightsGiveWarnings() throws IOException {
        ModelProto m = base();
        TensorProto w0 = m.getGraph().getInitializer(0);
        float[] v = new float[12];
        v[0] = Float.NaN;
        v[1] = Float.POSITIVE_INFINITY;
        Path p = dir.resolve("nan.onnx");
        Files.write(p, withInit(m, 0, OnnxModel.encode(w0.getName(), v, new long[] {3, 4})).toByteArray());
        LoadedModel lm = Models.load(p);
        assertFalse(lm.warnings().isEmpty());
        assertTrue(lm.warnings().get(0).contains("2 NaN/Inf"));
    }

    @Test
    void elementCapIsConfigurable() {
        TestData.assumeAcas();
        ModelException e = assertThrows(ModelException.class,
                () -> Models.load(TestData.acasOnnx(1, 1), new ModelLimits(1 << 30, 100, 1000, 64)));
        assertTrue(e.getMessage().contains("cap of 100"));
    }
}
