package dev.engram.model.exec;

import dev.engram.model.Activation;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.model.TestData;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.Dags;
import dev.engram.model.onnx.OnnxModel;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The graph executor against ONNX Runtime on every shared VNN-COMP network, and bit for bit against the dense
 * reference on dense chains.
 */
class GraphExecutorTest {

    /** Every .onnx under vnncomp2021/ and vnncomp-test/. */
    static List<Path> vnncompModels() throws Exception {
        List<Path> out = new ArrayList<>();
        for (String dir : new String[] {"vnncomp2021", "vnncomp-test"}) {
            Path d = TestData.shared().resolve(dir);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.walk(d)) {
                    s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(out::add);
                }
            }
        }
        return out;
    }

    @Test
    void everyVnncompModelAgreesWithOnnxRuntime() throws Exception {
        List<Path> models = vnncompModels();
        assumeTrue(!models.isEmpty(), "no VNN-COMP models under " + TestData.shared().toAbsolutePath()
                + " (set -Dengram.shared.data)");
        double worst = 0;
        for (Path p : models) {
            OnnxModel m = OnnxModel.read(p);
            Dag dag = m.dag();
            GraphExecutor ex = new GraphExecutor(dag);
            float[][] x = TestData.randomInputs(new Random(7), 70, ex.inputSize(), 1f);
            float[][] ours = ex.run(x);
            float[][] ort = TestData.ort(Files.readAllBytes(p), x);
            double d = TestData.maxAbsDiff(ours, ort);
            double scale = 1;
            for (float[] row : ort) {
                for (float v : row) {
                    scale = Math.max(scale, Math.abs(v));
                }
            }
            System.out.printf("[graph-vs-ort] %-40s %3d nodes, max |diff| %.3g (outputs up to %.3g)%n",
                    TestData.shared().relativize(p), dag.nodes().size(), d, scale);
            assertTrue(d <= 1e-5 * scale * 10, p + ": max diff " + d);
            worst = Math.max(worst, d / scale);
        }
        System.out.println("[graph-vs-ort] " + models.size() + " models, worst relative diff " + worst);
    }

    @Test
    void denseNetworksRunBitForBitAsTheReference() {
        Random rnd = new Random(21);
        for (Activation a : Activation.values()) {
            DenseNetwork net = TestData.randomMlp(rnd, new int[] {7, 33, 65, 4}, a);
            float[][] x = TestData.randomInputs(rnd, 64 * 2 + 5, 7, 3f);
            for (int lanes : new int[] {64, 3}) {
                float[][] y = new GraphExecutor(Dags.of(net), lanes).run(x);
                for (int r = 0; r < x.length; r++) {
                    assertArrayEquals(net.evaluate(x[r]), y[r], 0f, a + " lanes " + lanes + " row " + r);
                }
            }
        }
    }

    @Test
    void acasXuGraphsEqualTheDenseExecutorBitForBit() throws Exception {
        TestData.assumeAcas();
        Random rnd = new Random(3);
        for (int[] id : new int[][] {{1, 1}, {2, 7}, {5, 9}}) {
            OnnxModel m = OnnxModel.read(TestData.acasOnnx(id[0], id[1]));
            GraphExecutor g = new GraphExecutor(m.dag());
            float[][] x = TestData.randomInputs(rnd, 300, 5, 1f);
            float[][] dense = new DenseExecutor(m.dense()).run(x);
            float[][] graph = g.run(x);
            for (int r = 0; r < x.length; r++) {
                assertArrayEquals(dense[r], graph[r], 0f, "ACAS Xu " + id[0] + "," + id[1] + " row " + r);
            }
            // each MatMul + Add is one product with a bias: Sub, Flatten, 7 MatMul, 6 Relu
            assertEquals(15, m.dag().nodes().size(), String.join("\n", m.dag().listing()));
        }
    }

    @Test
    void threadsSplitTilesWithoutChangingResults() throws Exception {
        List<Path> models = vnncompModels();
        assumeTrue(!models.isEmpty(), "no VNN-COMP models under " + TestData.shared().toAbsolutePath());
        Path p = models.stream().filter(q -> q.toString().contains("cifar_deep")).findFirst().orElse(models.get(0));
        GraphExecutor ex = new GraphExecutor(OnnxModel.read(p).dag());
        int n = 64 * 3 + 7;
        float[] x = new float[n * ex.inputSize()];
        Random rnd = new Random(4);
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat();
        }
        float[] one = ex.run(x, n, 1);
        for (int t = 2; t <= 3; t++) {
            assertArrayEquals(one, ex.run(x, n, t), 0f, t + " threads");
        }
    }
}
