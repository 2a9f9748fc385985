package dev.engram.dict;

import dev.engram.data.ArrayData;
import dev.engram.data.Dataset;
import dev.engram.model.Models;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.source.Span;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dictionary on a CNN the project did not train: VNN-COMP 2021's verivital MNIST network with max pooling. The
 * shared data has no MNIST images, so its concept is learned on 3,000 Fashion-MNIST images (the same 28×28 [0, 1]
 * input): "footwear" through features trained on digits. Checks the split (pool taps, flatten, dense tail), that the
 * taps' last layer is the graph's output, and prints the quality table. Skips without the shared data.
 */
class VerivitalCnnTest {

    @Test
    void learnsAConceptOnTheVerivitalMaxpoolNetwork(@TempDir Path tmp) throws Exception {
        Path shared = dev.engram.SharedData.path();
        Path modelFile = shared.resolve("vnncomp2021/verivital/Convnet_maxpool.onnx");
        Path images = shared.resolve("fashion-mnist/train-images-idx3-ubyte.gz");
        assumeTrue(Files.isRegularFile(modelFile) && Files.isRegularFile(images), "verivital or Fashion-MNIST not"
                + " found under " + shared.toAbsolutePath() + " (set -Dengram.shared.data)");
        OnnxModel model = (OnnxModel) Models.load(modelFile);
        LayerTaps taps = LayerTaps.of(model);
        assertTrue(taps.offset() > 0, "split at the flatten");
        for (int l = 1; l <= taps.depth(); l++) {
            System.out.println("verivital maxpool: layer " + l + " = " + taps.describe(l) + ", " + taps.width(l)
                    + " values");
        }
        Dataset d = ArrayData.load(images, List.of()).head(3000);
        Path data = Files.createDirectories(tmp.resolve("subset"));
        write(data, d);
        float[][] whole = new GraphExecutor(model.dag()).run(java.util.Arrays.copyOf(d.x(), 50));
        float[][] tapped = taps.run(java.util.Arrays.copyOf(d.x(), 50), 50, taps.depth())[taps.depth()];
        double diff = 0;
        for (int r = 0; r < 50; r++) {
            for (int k = 0; k < whole[r].length; k++) {
                diff = Math.max(diff, Math.abs(whole[r][k] - tapped[r][k]));
            }
        }
        assertTrue(diff < 1e-4, "the tail computes the graph's output: " + diff);
        ConceptSpec footwear = new ConceptSpec("footwear", data.resolve("train-images-idx3-ubyte.gz"),
                "label in {5, 7, 9}", OptionalInt.empty(), Span.NONE);
        Learner.Learned l = Learner.learn(taps, model.sha256(), DataLayout.none(784, 10), List.of(footwear),
                Learner.Options.defaults());
        System.out.print(DictionaryTable.text(l.dictionary(), 0.9));
        Dictionary.Concept c = l.dictionary().concept("footwear").orElseThrow();
        assertEquals(3000, l.dictionary().sources().get(0).rows());
        assertTrue(c.at(c.chosenLayer()).orElseThrow().auc() > 0.9, "footwear is linearly readable: " + c);
    }

    /** {@code d} as MNIST-layout IDX files (gzip), pixels back to bytes. */
    static void write(Path dir, Dataset d) throws Exception {
        int n = d.rows();
        ByteBuffer img = ByteBuffer.allocate(16 + n * 784);
        img.putInt(0x0803).putInt(n).putInt(28).putInt(28);
        ByteBuffer lab = ByteBuffer.allocate(8 + n);
        lab.putInt(0x0801).putInt(n);
        for (int r = 0; r < n; r++) {
            lab.put((byte) d.y()[r]);
            for (float v : d.x()[r]) {
                img.put((byte) Math.round(v * 255));
            }
        }
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), ConceptFixtures.gzip(img.array()));
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), ConceptFixtures.gzip(lab.array()));
    }
}
