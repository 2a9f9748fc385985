package dev.engram.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code engram compile --fix-points} end to end: a model trained on 8×8 images, three test images given labels it
 * does not decide; fixed pointwise and as L∞ balls, each fixed image then executed by ONNX Runtime on the written
 * file. Bad input gets a clear diagnostic and writes nothing: images of the wrong size, a label the model does not
 * have, and two copies of one image with two labels (no repair exists).
 */
class FixPointsCommandTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path train;
    static float[][] rows = new float[3][];
    static int[] labels = new int[3];

    @BeforeAll
    static void trainModel() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("shapes"));
        TrainImagesCommandTest.writeImages(data, "train", 600, 1);
        TrainImagesCommandTest.writeImages(data, "t10k", 200, 2);
        model = tmp.resolve("shapes.onnx");
        ModelCommandsTest.Run r = ModelCommandsTest.engram("train", "--data", data.toString(), "--out",
                model.toString(), "--epochs", "4", "--batch-size", "16", "--seed", "4", "--hidden", "16,8");
        assertEquals(0, r.code(), r.out() + r.err());
        train = data.resolve("train-images-idx3-ubyte.gz");
        byte[] img = gunzip(data.resolve("t10k-images-idx3-ubyte.gz"));
        for (int k = 0; k < 3; k++) {
            rows[k] = new float[64];
            for (int p = 0; p < 64; p++) {
                rows[k][p] = (img[16 + 64 * k + p] & 0xff) / 255f;
            }
            float[] y = ModelCommandsTest.ort(model, rows[k]);
            labels[k] = (argmax(y) + 1 + k % 2) % 3; // a label the model does not decide
        }
    }

    @Test
    void fixesPointsAndBallsProvedAndExecutedByOnnxRuntime() throws Exception {
        Path images = idxImages("fix", rows, 8);
        Path labs = idxLabels("fix", labels);
        for (String eps : new String[]{"0", "0.01"}) {
            Path out = tmp.resolve("fixed-" + eps + ".onnx");
            ModelCommandsTest.Run r = ModelCommandsTest.engram("compile", "--model", model.toString(),
                    "--fix-points", images.toString(), "--labels", labs.toString(), "--eps", eps, "--keep",
                    train.toString(), "--out", out.toString());
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(Files.isRegularFile(out));
            for (int k = 0; k < 3; k++) {
                float[] y = ModelCommandsTest.ort(out, rows[k]);
                assertEquals(labels[k], argmax(y), "row " + k + " after --eps " + eps);
            }
        }
    }

    @Test
    void badInputIsReportedAndNothingIsWritten() throws Exception {
        Path out = tmp.resolve("never.onnx");
        float[][] small = {new float[49]};
        ModelCommandsTest.Run size = ModelCommandsTest.engram("compile", "--model", model.toString(), "--fix-points",
                idxImages("small", small, 7).toString(), "--labels", idxLabels("one", new int[]{0}).toString(),
                "--out", out.toString());
        assertEquals(2, size.code(), size.out() + size.err());
        assertTrue((size.out() + size.err()).contains("49 values per row but the model takes 64 inputs"),
                size.out() + size.err());

        ModelCommandsTest.Run label = ModelCommandsTest.engram("compile", "--model", model.toString(),
                "--fix-points", idxImages("one", new float[][]{rows[0]}, 8).toString(), "--labels",
                idxLabels("seven", new int[]{7}).toString(), "--out", out.toString());
        assertEquals(2, label.code(), label.out() + label.err());
        assertTrue((label.out() + label.err()).contains("has label 7 but the model has 3 outputs"),
                label.out() + label.err());

        ModelCommandsTest.Run clash = ModelCommandsTest.engram("compile", "--model", model.toString(),
                "--fix-points", idxImages("twice", new float[][]{rows[0], rows[0]}, 8).toString(), "--labels",
                idxLabels("two", new int[]{0, 1}).toString(), "--out", out.toString());
        assertEquals(3, clash.code(), clash.out() + clash.err());
        assertTrue((clash.out() + clash.err()).contains("E062")
                && (clash.out() + clash.err()).contains("no change of the output layer"), clash.out() + clash.err());

        ModelCommandsTest.Run noLabels = ModelCommandsTest.engram("compile", "--model", model.toString(),
                "--fix-points", idxImages("one", new float[][]{rows[0]}, 8).toString(), "--out", out.toString());
        assertEquals(2, noLabels.code());
        assertTrue(noLabels.err().contains("--fix-points needs --labels"), noLabels.err());
        assertFalse(Files.exists(out));
    }

    static int argmax(float[] y) {
        int k = 0;
        for (int j = 1; j < y.length; j++) {
            if (y[j] > y[k]) {
                k = j;
            }
        }
        return k;
    }

    static Path idxImages(String name, float[][] x, int side) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16 + x.length * side * side);
        b.putInt(0x0803).putInt(x.length).putInt(side).putInt(side);
        for (float[] row : x) {
            for (float v : row) {
                b.put((byte) Math.round(v * 255));
            }
        }
        return Files.write(tmp.resolve(name + "-images.idx"), b.array());
    }

    static Path idxLabels(String name, int[] y) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(8 + y.length);
        b.putInt(0x0801).putInt(y.length);
        for (int v : y) {
            b.put((byte) v);
        }
        return Files.write(tmp.resolve(name + "-labels.idx"), b.array());
    }

    static byte[] gunzip(Path p) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readAllBytes();
        }
    }
}
