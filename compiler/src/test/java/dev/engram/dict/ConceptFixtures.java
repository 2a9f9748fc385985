package dev.engram.dict;

import dev.engram.data.ArrayData;
import dev.engram.data.Dataset;
import dev.engram.model.DenseNetwork;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.train.MlpTrainer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Small generated material for the dictionary's tests, no shared data needed: 8×8 grey images of four classes (the
 * bright half is the top, the bottom, the left or the right) in the MNIST layout (IDX, gzip), a seeded ReLU MLP trained
 * on them and written as ONNX, and the rule file's declarations ({@code top, bottom, left, right}, {@code decide
 * argmax}).
 */
public record ConceptFixtures(Path dir, Path train, Path test, Path model, DenseNetwork network, String declarations) {

    public static final List<String> CLASSES = List.of("top", "bottom", "left", "right");

    /** Writes the material into {@code dir}. */
    public static ConceptFixtures create(Path dir) {
        return create(dir, false);
    }

    /**
     * As {@link #create}, with a small CNN in place of the MLP ({@code shapes-cnn.onnx}: two 3×3 stride-2 convolutions
     * of 4 and 8 channels, a flatten of 32 values, a dense ReLU layer of 12, 4 logits); {@link #network()} is null.
     */
    public static ConceptFixtures createCnn(Path dir) {
        return create(dir, true);
    }

    private static ConceptFixtures create(Path dir, boolean cnn) {
        try {
            Path data = Files.createDirectories(dir.resolve("shapes"));
            writeImages(data, "train", 1600, 11);
            writeImages(data, "t10k", 600, 12);
            Path train = data.resolve("train-images-idx3-ubyte.gz");
            Dataset ds = ArrayData.load(train, CLASSES);
            String name = cnn ? "shapes-cnn.onnx" : "shapes.onnx";
            Path model = dir.resolve(name);
            DenseNetwork net = null;
            if (cnn) {
                dev.engram.train.CnnTrainer.builder().setImage(1, 8, 8).setChannels(4, 8).optHidden(12).optEpochs(6)
                        .optBatchSize(16).optLearningRate(3e-3).optSeed(3).build().train(ds).network()
                        .toOnnx("input", "output", Map.of()).write(model);
            } else {
                net = MlpTrainer.builder().setHidden(24, 12).optEpochs(6).optBatchSize(16).optSeed(3).build()
                        .train(ds).network();
                OnnxModel.fromDense(net, "input", "output", false, Map.of()).write(model);
            }
            StringBuilder decl = new StringBuilder("model \"" + name + "\"\n");
            for (int k = 0; k < CLASSES.size(); k++) {
                decl.append("output ").append(CLASSES.get(k)).append(" at ").append(k).append('\n');
            }
            decl.append("decide argmax\n");
            return new ConceptFixtures(dir, train, data.resolve("t10k-images-idx3-ubyte.gz"), model, net,
                    decl.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The data path as a rule file in {@link #dir} writes it. */
    public String trainRef() {
        return dir.relativize(train).toString().replace('\\', '/');
    }

    /** Writes {@code prefix-images-idx3-ubyte.gz} and its labels: {@code n} noisy 8×8 images of the four classes. */
    public static void writeImages(Path dir, String prefix, int n, long seed) throws IOException {
        Random r = new Random(seed);
        ByteBuffer img = ByteBuffer.allocate(16 + n * 64);
        img.putInt(0x0803).putInt(n).putInt(8).putInt(8);
        ByteBuffer lab = ByteBuffer.allocate(8 + n);
        lab.putInt(0x0801).putInt(n);
        for (int k = 0; k < n; k++) {
            int c = r.nextInt(4);
            lab.put((byte) c);
            for (int p = 0; p < 64; p++) {
                int row = p / 8;
                int col = p % 8;
                boolean bright = switch (c) {
                    case 0 -> row < 4;
                    case 1 -> row >= 4;
                    case 2 -> col < 4;
                    default -> col >= 4;
                };
                img.put((byte) ((bright ? 140 : 50) + r.nextInt(100)));
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
}
