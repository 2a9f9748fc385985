package dev.engram.train;

import dev.engram.data.Dataset;
import dev.engram.data.Encoding;
import dev.engram.data.TrainTest;
import dev.engram.model.DenseNetwork;
import dev.engram.model.LoadedModel;
import dev.engram.model.Models;
import dev.engram.model.TestData;
import dev.engram.model.onnx.OnnxModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Trains small models on the real Adult and German Credit data, writes them as ONNX, and checks that the file
 * loads back to the same network and that ONNX Runtime computes the same outputs. Skips without the shared data.
 */
class AdultTrainingTest {

    static Path adult() {
        Path p = TestData.shared().resolve("adult");
        assumeTrue(Files.isRegularFile(p.resolve("adult.data")) && Files.isRegularFile(p.resolve("adult.test")),
                "Adult data not found under " + TestData.shared().toAbsolutePath() + " (set -Dengram.shared.data)");
        return p;
    }

    @Test
    void adultTrainsDeterministicallyAndTheOnnxFileMatchesOrt(@TempDir Path tmp) throws Exception {
        TrainTest tt = TrainTest.load(adult(), Optional.empty(), 7);
        assertEquals("Y", tt.label());
        Encoding enc = Encoding.fit(tt.train(), tt.label());
        assertEquals(java.util.List.of("<=50K", ">50K"), enc.label().classes());
        Dataset train = enc.encode(tt.train()).head(8000);
        Dataset test = enc.encode(tt.test());
        assertEquals(16281, test.rows());
        MlpTrainer trainer = MlpTrainer.builder().setHidden(32, 16).optEpochs(3).optSeed(7).build();
        MlpTrainer.Result r = trainer.train(train);
        double acc = Metrics.accuracy(r.network(), test);
        System.out.printf("adult: %d train rows, %d epochs in %d ms, loss %s, test accuracy %.4f%n",
                train.rows(), r.epochLoss().size(), r.millis(), r.epochLoss(), acc);
        // the majority class alone gives 0.764 on adult.test; a trained model must beat it clearly
        assertTrue(acc > 0.80, "test accuracy " + acc);
        assertTrue(r.epochLoss().get(2) < r.epochLoss().get(0), "loss decreases: " + r.epochLoss());

        // same seed, same weights (bit for bit)
        DenseNetwork again = trainer.train(train).network();
        for (int l = 0; l < again.layers().size(); l++) {
            for (int o = 0; o < again.layers().get(l).outputSize(); o++) {
                assertArrayEquals(r.network().layers().get(l).weight()[o], again.layers().get(l).weight()[o]);
            }
        }

        Path file = tmp.resolve("adult.onnx");
        OnnxModel.fromDense(r.network(), "input", "output", false, Map.of("engram.label", tt.label())).write(file);
        LoadedModel back = Models.load(file);
        DenseNetwork net = back.dense();
        float[][] rows = Arrays.copyOf(test.x(), 300);
        float[][] ours = new float[rows.length][];
        float[][] direct = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            ours[i] = net.evaluate(rows[i]);
            direct[i] = r.network().evaluate(rows[i]);
        }
        assertEquals(0.0, TestData.maxAbsDiff(ours, direct), "reloaded network equals the trained one");
        float[][] ort = TestData.ort(Files.readAllBytes(file), rows);
        double diff = TestData.maxAbsDiff(ours, ort);
        assertTrue(diff < 1e-4, "ORT differs by " + diff);
        int agree = 0;
        for (int i = 0; i < rows.length; i++) {
            if (Metrics.argmax(ours[i]) == Metrics.argmax(ort[i])) {
                agree++;
            }
        }
        assertTrue(agree >= rows.length - 1, "decisions agree with ORT on " + agree + "/" + rows.length);
    }

    @Test
    void germanCreditArffTrains() {
        Path f = TestData.shared().resolve("german-credit/credit-g.arff");
        assumeTrue(Files.isRegularFile(f), "German Credit data not found at " + f.toAbsolutePath());
        TrainTest tt = TrainTest.load(f, Optional.empty(), 3);
        assertEquals("class", tt.label());
        assertEquals(800, tt.train().rows());
        assertEquals(200, tt.test().rows());
        Encoding enc = Encoding.fit(tt.train(), tt.label());
        Encoding.Categorical ps = (Encoding.Categorical) enc.feature("personal_status");
        assertEquals(java.util.List.of("male div/sep", "female div/dep/mar", "male single", "male mar/wid",
                "female single"), ps.values(), "ARFF declared order");
        assertEquals(java.util.List.of("good", "bad"), enc.label().classes());
        Dataset train = enc.encode(tt.train());
        Dataset test = enc.encode(tt.test());
        MlpTrainer.Result r = MlpTrainer.builder().setHidden(32, 16).optEpochs(30).optSeed(3).build().train(train);
        double acc = Metrics.accuracy(r.network(), test);
        System.out.printf("german credit: test accuracy %.4f (%d ms)%n", acc, r.millis());
        assertTrue(acc > 0.65, "test accuracy " + acc);
    }
}
