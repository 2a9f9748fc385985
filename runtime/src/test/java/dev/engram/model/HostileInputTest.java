package dev.engram.model;

import dev.engram.model.onnx.OnnxModel;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorProto;
import dev.engram.patch.Patch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A corpus of broken and hostile files (ONNX with external data, NNet, TorchScript, {@code .epatch}) generated
 * into a temporary folder by {@link HostileCorpus}. Each must be rejected with a {@link ModelException} whose
 * message names the file and gives the reason (the expected words are checked, not just the type), within 1 s
 * and 64 MB of heap allocated by the loading thread, and without any content of the file outside the model's
 * folder ({@code secret.bin}) in the message.
 */
class HostileInputTest {

    static final long MAX_MILLIS = 1000;
    static final long MAX_ALLOCATED = 64L << 20;

    static HostileCorpus corpus;

    @BeforeAll
    static void corpus() throws Exception {
        corpus = HostileCorpus.write(Files.createTempDirectory("hostile"));
        // start the PyTorch engine once, so that the cases measure reading a file, not loading native libraries
        Models.load(HostileCorpus.resource("tiny_mlp.pt")).parameters();
    }

    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void theCorpusCoversEveryReader() {
        assertTrue(corpus.cases().size() >= 45, "corpus has " + corpus.cases().size() + " files");
        for (String ext : List.of(".onnx", ".nnet", ".pt", ".epatch")) {
            long n = corpus.cases().stream().filter(c -> c.file().endsWith(ext)).count();
            System.out.println("[hostile] " + n + " " + ext + " files");
            assertTrue(n >= 5, ext + ": " + n + " files");
        }
    }

    @TestFactory
    List<DynamicTest> everyHostileFileIsRejectedWithAReasonInBoundedTimeAndMemory() {
        assumeTrue(((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .isThreadAllocatedMemorySupported(), "this JVM cannot measure a thread's allocations");
        List<DynamicTest> tests = new ArrayList<>();
        for (HostileCorpus.Case c : corpus.cases()) {
            tests.add(DynamicTest.dynamicTest(c.file(), () -> check(c)));
        }
        return tests;
    }

    static void check(HostileCorpus.Case c) {
        Path p = corpus.dir().resolve(c.file());
        long a0 = allocated();
        long t0 = System.nanoTime();
        ModelException ex = assertThrows(ModelException.class, () -> c.reader().read(p, c.limits()),
                c.file() + " must be rejected");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long bytes = allocated() - a0;
        String msg = ex.getMessage();
        System.out.printf("[hostile] %s (%d ms, %.1f MB) -> %s%n", c.file(), ms, bytes / 1e6, msg);
        assertTrue(msg.contains(p.getFileName().toString()), c.file() + ": the message must name the file: " + msg);
        assertTrue(msg.contains(c.expect()), c.file() + ": message '" + msg + "' should say '" + c.expect() + "'");
        assertFalse(msg.contains(HostileCorpus.SECRET), c.file() + ": the message shows content from outside");
        assertTrue(ms < MAX_MILLIS, c.file() + " took " + ms + " ms");
        assertTrue(bytes < MAX_ALLOCATED, c.file() + " allocated " + bytes + " bytes");
    }

    @Test
    void externalDataThroughASymlinkOutOfTheFolderIsRefused() throws IOException {
        Path models = corpus.dir().resolve("models");
        Path link = models.resolve("link.bin");
        try {
            Files.createSymbolicLink(link, corpus.dir().resolve("secret.bin"));
        } catch (UnsupportedOperationException | IOException e) {
            assumeTrue(false, "this file system cannot create symbolic links (" + e + "), so the link case cannot run");
        }
        Path onnx = models.resolve("ext-symlink.onnx");
        Files.write(onnx, HostileCorpus.external(HostileCorpus.base(), "link.bin").toByteArray());
        check(new HostileCorpus.Case("models/ext-symlink.onnx", "escapes the model folder through a link",
                ModelLimits.defaults(), HostileCorpus.MODEL));
    }

    @Test
    void theControlFilesLoad() throws IOException {
        assertEquals(2, Models.load(corpus.dir().resolve("ok-control.nnet")).dense().layers().size());
        assertEquals(1, Patch.read(corpus.dir().resolve("ok-control.epatch")).edits().size());
    }

    @Test
    void nanAndInfWeightsGiveWarnings() throws IOException {
        ModelProto m = HostileCorpus.base();
        TensorProto w0 = m.getGraph().getInitializer(0);
        float[] v = new float[12];
        v[0] = Float.NaN;
        v[1] = Float.POSITIVE_INFINITY;
        Path p = corpus.dir().resolve("nan.onnx");
        Files.write(p, HostileCorpus.withInit(m, 0, OnnxModel.encode(w0.getName(), v, new long[] {3, 4}))
                .toByteArray());
        LoadedModel lm = Models.load(p);
        assertFalse(lm.warnings().isEmpty());
        assertTrue(lm.warnings().get(0).contains("2 NaN/Inf"));
    }

    @Test
    void elementCapIsConfigurable() {
        TestData.assumeAcas();
        ModelException e = assertThrows(ModelException.class,
                () -> Models.load(TestData.acasOnnx(1, 1), new ModelLimits(1 << 30, 100, 1000, 64)));
        assertTrue(e.getMessage().contains("cap of 100"), e.getMessage());
    }

    /** Not hostile, but the same budget: a model well inside the limits loads with the defaults. */
    @Test
    void anOrdinaryModelLoads() {
        DenseNetwork net = TestData.randomMlp(new Random(1), new int[] {3, 4, 2}, Activation.RELU);
        assertEquals(2, OnnxModel.parse(OnnxModel.fromDense(net, "x", "y", false, Map.of()).toBytes(), null, null,
                ModelLimits.defaults()).dense().layers().size());
    }
}
