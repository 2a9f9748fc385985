package dev.engram.train;

import dev.engram.data.Dataset;
import dev.engram.model.Models;
import dev.engram.model.TestData;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.model.onnx.OnnxModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CNN trainer on a small synthetic image task (which quadrant holds a bright blob): the loss falls, training is
 * deterministic, and the written ONNX file computes in ONNX Runtime what the runtime's graph executor computes on it.
 */
class CnnTrainerTest {

    /** 12×12 one-channel images, a noisy blob in one of four quadrants; the label is the quadrant. */
    static Dataset quadrants(int n, long seed) {
        Random rnd = new Random(seed);
        float[][] x = new float[n][144];
        int[] y = new int[n];
        for (int r = 0; r < n; r++) {
            y[r] = rnd.nextInt(4);
            int cy = (y[r] / 2) * 6 + 1 + rnd.nextInt(3);
            int cx = (y[r] % 2) * 6 + 1 + rnd.nextInt(3);
            for (int i = 0; i < 144; i++) {
                x[r][i] = (float) (0.2 * rnd.nextDouble());
            }
            for (int dy = 0; dy < 2; dy++) {
                for (int dx = 0; dx < 2; dx++) {
                    x[r][(cy + dy) * 12 + cx + dx] = 1f;
                }
            }
        }
        return new Dataset(x, y, List.of("a", "b", "c", "d"));
    }

    static CnnTrainer trainer(int epochs) {
        return CnnTrainer.builder().setImage(1, 12, 12).setChannels(4, 8).optHidden(16).optEpochs(epochs)
                .optBatchSize(16).optLearningRate(3e-3).optSeed(3).build();
    }

    @Test
    void lossFallsAndTrainingIsDeterministic() {
        Dataset d = quadrants(400, 1);
        CnnTrainer.Result r = trainer(4).train(d);
        System.out.println("cnn quadrants: loss per epoch " + r.epochLoss());
        assertTrue(r.epochLoss().get(3) < 0.5 * r.epochLoss().get(0), "loss falls: " + r.epochLoss());
        CnnTrainer.Result again = trainer(4).train(d);
        for (int l = 0; l < r.network().denseW().size(); l++) {
            assertArrayEquals(r.network().denseW().get(l), again.network().denseW().get(l));
        }
        assertArrayEquals(r.network().convW().get(0), again.network().convW().get(0));
    }

    @Test
    void writtenOnnxRunsTheSameInOrtAndTheExecutor(@TempDir Path tmp) throws Exception {
        Dataset train = quadrants(400, 1);
        Dataset test = quadrants(200, 2);
        CnnTrainer.Result r = trainer(3).train(train);
        Path out = tmp.resolve("cnn.onnx");
        r.network().toOnnx("input", "output", Map.of("engram.trainer", "cnn")).write(out);
        OnnxModel back = (OnnxModel) Models.load(out);
        GraphExecutor exec = new GraphExecutor(back.dag());
        assertEquals(144, exec.inputSize());
        assertEquals(4, exec.outputSize());
        float[][] ours = exec.run(test.x());
        float[][] ort = TestData.ort(Files.readAllBytes(out), test.x());
        double diff = TestData.maxAbsDiff(ours, ort);
        int correct = 0;
        for (int i = 0; i < ours.length; i++) {
            correct += Metrics.argmax(ours[i]) == test.y()[i] ? 1 : 0;
        }
        System.out.printf("cnn quadrants: test accuracy %.3f, ORT vs executor max |diff| %.3g%n",
                correct / (double) ours.length, diff);
        assertTrue(diff < 1e-4, "ORT and the executor agree: " + diff);
        assertTrue(correct > 0.9 * ours.length, "learns the task: " + correct);
    }
}
