package dev.engram.cli;

import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code engram train} on images in the MNIST layout (IDX, gzip): a seeded model that reads back, a printed test
 * accuracy, declarations naming the classes that check clean, and the same bytes from the same seed.
 */
class TrainImagesCommandTest {

    /**
     * Writes {@code prefix-images-idx3-ubyte.gz} and labels: 8×8 grey images of three classes (a bright top half,
     * a bright bottom half, a bright left half) with noise.
     */
    static void writeImages(Path dir, String prefix, int n, long seed) throws IOException {
        Random r = new Random(seed);
        ByteBuffer img = ByteBuffer.allocate(16 + n * 64);
        img.putInt(0x0803).putInt(n).putInt(8).putInt(8);
        ByteBuffer lab = ByteBuffer.allocate(8 + n);
        lab.putInt(0x0801).putInt(n);
        for (int k = 0; k < n; k++) {
            int c = r.nextInt(3);
            lab.put((byte) c);
            for (int p = 0; p < 64; p++) {
                int row = p / 8;
                int col = p % 8;
                boolean bright = c == 0 ? row < 4 : c == 1 ? row >= 4 : col < 4;
                int v = (bright ? 150 : 40) + r.nextInt(90);
                img.put((byte) v);
            }
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte.gz"), gzip(img.array()));
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), gzip(lab.array()));
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(bo)) {
            z.write(raw);
        }
        return bo.toByteArray();
    }

    @Test
    void trainsOnIdxImagesAndWritesClassDeclarations(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("shapes"));
        writeImages(data, "train", 600, 1);
        writeImages(data, "t10k", 200, 2);
        Path model = tmp.resolve("shapes.onnx");
        String[] args = {"train", "--data", data.toString(), "--out", model.toString(), "--epochs", "8", "--batch-size", "16", "--seed", "4",
                "--hidden", "16,8", "--classes", "top,bottom,left"};
        ModelCommandsTest.Run r = ModelCommandsTest.engram(args);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("600 rows") && r.out().contains("64 inputs"), r.out());
        String acc = r.out().replaceAll("(?s).*test (\\d\\.\\d+).*", "$1");
        assertTrue(Double.parseDouble(acc) > 0.9, r.out());
        DenseNetwork net = Models.readDense(model);
        assertEquals(64, net.inputSize());
        assertEquals(3, net.outputSize());
        String decl = Files.readString(tmp.resolve("shapes.engram"));
        assertTrue(decl.contains("output top at 0") && decl.contains("output left at 2")
                && decl.contains("decide argmax"), decl);
        ModelCommandsTest.Run check = ModelCommandsTest.engram("check", tmp.resolve("shapes.engram").toString(),
                "--model", model.toString());
        assertEquals(0, check.code(), check.out() + check.err());
        byte[] first = Files.readAllBytes(model);
        assertEquals(0, ModelCommandsTest.engram(args).code());
        assertArrayEquals(first, Files.readAllBytes(model), "same seed, same model bytes");
    }

    @Test
    void trainsASmallCnnThatTheGraphExecutorRunsAndCheckAccepts(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("shapes"));
        writeImages(data, "train", 600, 1);
        writeImages(data, "t10k", 200, 2);
        Path model = tmp.resolve("cnn.onnx");
        ModelCommandsTest.Run r = ModelCommandsTest.engram("train", "--data", data.toString(), "--out",
                model.toString(), "--conv", "4,8", "--hidden", "12", "--epochs", "4", "--batch-size", "16",
                "--learning-rate", "0.003", "--seed", "4", "--classes", "top,bottom,left");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("trained CNN (conv 4,8, hidden 12)"), r.out());
        String acc = r.out().replaceAll("(?s).*test (\\d\\.\\d+).*", "$1");
        assertTrue(Double.parseDouble(acc) > 0.9, r.out());
        dev.engram.model.LoadedModel m = Models.load(model);
        assertEquals(64, m.dag().inputs().get(0).shape().size());
        ModelCommandsTest.Run check = ModelCommandsTest.engram("check", tmp.resolve("cnn.engram").toString(),
                "--model", model.toString());
        assertEquals(0, check.code(), check.out() + check.err());
        ModelCommandsTest.Run bad = ModelCommandsTest.engram("train", "--data", data.toString(), "--out",
                tmp.resolve("bad.onnx").toString(), "--conv", "4", "--image", "1,7,9");
        assertEquals(2, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains("rows have 64 values"), bad.err());
    }
}
