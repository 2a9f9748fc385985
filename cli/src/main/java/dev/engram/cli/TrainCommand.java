package dev.engram.cli;

import dev.engram.data.ArrayData;
import dev.engram.data.Dataset;
import dev.engram.data.Encoding;
import dev.engram.data.TrainTest;
import dev.engram.model.Models;
import dev.engram.model.io.AtomicFiles;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.train.CnnTrainer;
import dev.engram.train.Metrics;
import dev.engram.train.MlpTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code engram train --data DIR|FILE --out model.onnx}: trains an MLP classifier on tabular data (Adult CSV or ARFF
 * such as German Credit) or on arrays (IDX images such as Fashion-MNIST, NPY), writes it as ONNX and writes the
 * model's rule-language declarations ({@code input}, {@code normalize}, {@code output}, {@code decide}) so rules can
 * be written in real units against it.
 */
@Command(name = "train", description = "Train a classifier (Adult CSV, ARFF; IDX images, NPY) and write it as ONNX plus its .engram declarations.")
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR|FILE",
            description = "folder with adult.data/adult.test, a folder with one .arff, a folder with train-images-idx3-ubyte"
                    + "[.gz] and t10k-images-idx3-ubyte[.gz] (MNIST layout), or one CSV/ARFF/IDX/NPY file (seeded 80/20 split)")
    Path data;

    @Option(names = "--classes", split = ",", paramLabel = "NAME,...",
            description = "class names of IDX/NPY labels 0, 1, ... (default: the numbers)")
    List<String> classes = new ArrayList<>();

    @Option(names = "--label", paramLabel = "COLUMN", description = "label column (default: the last column)")
    String label;

    @Option(names = "--out", required = true, paramLabel = "MODEL.onnx", description = "model to write")
    Path out;

    @Option(names = "--rules-out", paramLabel = "FILE.engram",
            description = "declarations to write (default: the model path with .engram); in an existing file, the rules"
                    + " after the end-of-declarations marker are kept")
    Path rulesOut;

    @Option(names = "--epochs", defaultValue = "10", description = "passes over the training data (default 10)")
    int epochs;

    @Option(names = "--seed", defaultValue = "1", description = "seed of initialisation, shuffling and splits (default 1)")
    long seed;

    @Option(names = "--hidden", defaultValue = "64,32", split = ",", paramLabel = "W1,W2",
            description = "hidden ReLU layer widths (default 64,32)")
    int[] hidden;

    @Option(names = "--conv", split = ",", paramLabel = "C1,C2",
            description = "train a CNN on IDX/NPY images instead of an MLP: output channels of each 3x3 stride-2"
                    + " convolution (with ReLU), then a flatten and the --hidden dense layers"
                    + " (e.g. --conv 16,32 --hidden 64)")
    int[] conv;

    @Option(names = "--image", split = ",", paramLabel = "C,H,W",
            description = "the image shape of a row for --conv (default: one square channel)")
    int[] image;

    @Option(names = "--batch-size", defaultValue = "64", description = "mini-batch size (default 64)")
    int batchSize;

    @Option(names = "--learning-rate", defaultValue = "0.001", description = "Adam step size (default 0.001)")
    double learningRate;

    @Override
    public Integer call() {
        if (!out.getFileName().toString().endsWith(".onnx")) {
            System.err.println("engram train: --out must end with .onnx");
            return 2;
        }
        Path rules = rulesOut != null ? rulesOut : out.resolveSibling(stem(out.getFileName().toString()) + ".engram");
        CliFiles.refuseInPlace(data, out);
        CliFiles.refuseInPlace(data, rules);
        keptRules(rules);
        if (isArrays(data)) {
            return trainArrays(rules);
        }
        TrainTest tt = TrainTest.load(data, Optional.ofNullable(label), seed);
        Encoding enc = Encoding.fit(tt.train(), tt.label());
        Dataset train = enc.encode(tt.train());
        Dataset test = enc.encode(tt.test());
        System.out.println("data: " + tt.description() + "; label " + tt.label() + " (" + String.join(", ",
                enc.label().classes()) + "); " + enc.features().size() + " features -> " + enc.width() + " model inputs");
        MlpTrainer trainer = MlpTrainer.builder().setHidden(hidden).optEpochs(epochs).optBatchSize(batchSize)
                .optLearningRate(learningRate).optSeed(seed).build();
        MlpTrainer.Result r = trainer.train(train);
        double testAcc = report(r, train, test);

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("engram.trained_on", tt.description());
        meta.put("engram.label", tt.label());
        meta.put("engram.classes", String.join("|", enc.label().classes()));
        meta.put("engram.seed", Long.toString(seed));
        meta.put("engram.epochs", Integer.toString(epochs));
        meta.put("engram.test_accuracy", String.format(Locale.ROOT, "%.4f", testAcc));
        // the file is what users get: make sure it reads back to the same decisions
        if (!writeChecked(r, test, meta)) {
            return 2;
        }

        Path rulesDir = rules.toAbsolutePath().getParent();
        String modelRef = rulesDir.relativize(out.toAbsolutePath()).toString();
        List<String> header = new ArrayList<>();
        header.add("Model declarations generated by `engram train` for " + out.getFileName() + ".");
        header.add("Data: " + tt.description() + ".");
        header.add(String.format(Locale.ROOT, "Test accuracy %.4f; seed %d, %d epochs, hidden %s.", testAcc, seed, epochs,
                Arrays.toString(hidden)));
        header.add("Regenerate: engram train --data " + data + (label != null ? " --label " + label : "") + " --out "
                + out + " --rules-out " + rules + " --epochs " + epochs + " --seed " + seed);
        String kept = keptRules(rules);
        AtomicFiles.write(rules, (enc.declarations(modelRef, header) + kept).getBytes(StandardCharsets.UTF_8));
        System.out.println("wrote " + out + " and " + rules + (kept.isEmpty() ? ""
                : " (kept " + kept.lines().count() + " lines of rules below the generated declarations)"));
        return 0;
    }

    /** True for array data: a folder in the MNIST layout, or an IDX or NPY file. */
    static boolean isArrays(Path data) {
        if (Files.isDirectory(data)) {
            return Files.isRegularFile(data.resolve("train-images-idx3-ubyte.gz"))
                    || Files.isRegularFile(data.resolve("train-images-idx3-ubyte"));
        }
        return ArrayData.isArrayFile(data);
    }

    /** Trains on IDX/NPY arrays (inputs as read, unsigned bytes scaled to [0, 1]) and writes model and declarations. */
    private int trainArrays(Path rules) {
        ArrayData.Split split = ArrayData.trainTest(data, classes, seed);
        Dataset train = split.train();
        Dataset test = split.test();
        System.out.println("data: " + split.description() + "; " + train.width() + " inputs, classes "
                + String.join(", ", train.classes()));
        if (conv != null) {
            return trainConv(split, rules);
        }
        MlpTrainer.Result r = MlpTrainer.builder().setHidden(hidden).optEpochs(epochs).optBatchSize(batchSize)
                .optLearningRate(learningRate).optSeed(seed).build().train(train);
        double testAcc = report(r, train, test);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("engram.trained_on", split.description());
        meta.put("engram.classes", String.join("|", train.classes()));
        meta.put("engram.seed", Long.toString(seed));
        meta.put("engram.epochs", Integer.toString(epochs));
        meta.put("engram.test_accuracy", String.format(Locale.ROOT, "%.4f", testAcc));
        if (!writeChecked(r, test, meta)) {
            return 2;
        }
        String modelRef = rules.toAbsolutePath().getParent().relativize(out.toAbsolutePath()).toString();
        List<String> header = List.of("Model declarations generated by `engram train` for " + out.getFileName() + ".",
                "Data: " + split.description() + ".",
                String.format(Locale.ROOT, "Test accuracy %.4f; seed %d, %d epochs, hidden %s.", testAcc, seed, epochs,
                        Arrays.toString(hidden)),
                "Regenerate: engram train --data " + data + (classes.isEmpty() ? "" : " --classes \""
                        + String.join(",", classes) + "\"") + " --out " + out + " --rules-out " + rules + " --epochs "
                        + epochs + " --seed " + seed + " --hidden " + Arrays.stream(hidden).mapToObj(Integer::toString)
                        .collect(Collectors.joining(",")));
        String kept = keptRules(rules);
        AtomicFiles.write(rules, (ArrayData.declarations(modelRef, train.width(), train.classes(), header) + kept)
                .getBytes(StandardCharsets.UTF_8));
        System.out.println("wrote " + out + " and " + rules + (kept.isEmpty() ? ""
                : " (kept " + kept.lines().count() + " lines of rules below the generated declarations)"));
        return 0;
    }

    /** Trains a CNN ({@code --conv}) on IDX/NPY images, writes it and checks the written file's accuracy. */
    private int trainConv(ArrayData.Split split, Path rules) {
        Dataset train = split.train();
        Dataset test = split.test();
        int[] shape = image;
        if (shape == null) {
            int side = (int) Math.round(Math.sqrt(train.width()));
            if (side * side != train.width()) {
                System.err.println("engram train: rows of " + train.width() + " values are not square images: give"
                        + " --image C,H,W");
                return 2;
            }
            shape = new int[] {1, side, side};
        }
        if (shape.length != 3) {
            System.err.println("engram train: --image takes C,H,W");
            return 2;
        }
        CnnTrainer.Result r;
        try {
            r = CnnTrainer.builder().setImage(shape[0], shape[1], shape[2]).setChannels(conv).optHidden(hidden)
                    .optEpochs(epochs).optBatchSize(batchSize).optLearningRate(learningRate).optSeed(seed).build()
                    .train(train);
        } catch (IllegalArgumentException e) {
            System.err.println("engram train: " + e.getMessage());
            return 2;
        }
        String arch = "conv " + Arrays.stream(conv).mapToObj(Integer::toString).collect(Collectors.joining(","))
                + ", hidden " + Arrays.stream(hidden).mapToObj(Integer::toString).collect(Collectors.joining(","));
        System.out.println("trained CNN (" + arch + "), " + epochs + " epochs in " + r.millis()
                + " ms; loss per epoch: " + r.epochLoss().stream().map(v -> String.format(Locale.ROOT, "%.4f", v))
                .collect(Collectors.joining(" ")));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("engram.trained_on", split.description());
        meta.put("engram.classes", String.join("|", train.classes()));
        meta.put("engram.seed", Long.toString(seed));
        meta.put("engram.epochs", Integer.toString(epochs));
        meta.put("engram.architecture", arch);
        OnnxModel model = r.network().toOnnx("input", "output", meta);
        // the accuracy reported is the written file's, run by the runtime's graph executor
        GraphExecutor exec = new GraphExecutor(model.dag());
        double trainAcc = Metrics.accuracy(predict(exec, train.x()), train.y());
        double testAcc = Metrics.accuracy(predict(exec, test.x()), test.y());
        System.out.printf(Locale.ROOT, "accuracy: train %.4f, test %.4f (%d test rows)%n", trainAcc, testAcc,
                test.rows());
        meta.put("engram.test_accuracy", String.format(Locale.ROOT, "%.4f", testAcc));
        r.network().toOnnx("input", "output", meta).write(out);
        String modelRef = rules.toAbsolutePath().getParent().relativize(out.toAbsolutePath()).toString();
        List<String> header = List.of("Model declarations generated by `engram train` for " + out.getFileName() + ".",
                "Data: " + split.description() + ".",
                String.format(Locale.ROOT, "Test accuracy %.4f; seed %d, %d epochs, %s.", testAcc, seed, epochs, arch),
                "Regenerate: engram train --data " + data + " --out " + out + " --rules-out " + rules + " --epochs "
                        + epochs + " --seed " + seed + " --conv " + Arrays.stream(conv).mapToObj(Integer::toString)
                        .collect(Collectors.joining(",")) + " --hidden " + Arrays.stream(hidden)
                        .mapToObj(Integer::toString).collect(Collectors.joining(",")));
        String kept = keptRules(rules);
        AtomicFiles.write(rules, (ArrayData.declarations(modelRef, train.width(), train.classes(), header) + kept)
                .getBytes(StandardCharsets.UTF_8));
        System.out.println("wrote " + out + " and " + rules);
        return 0;
    }

    private static int[] predict(GraphExecutor exec, float[][] x) {
        float[][] y = exec.run(x);
        int[] out = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = Metrics.argmax(y[i]);
        }
        return out;
    }

    /** Prints the training summary and accuracies; returns the test accuracy. */
    private double report(MlpTrainer.Result r, Dataset train, Dataset test) {
        System.out.println("trained " + Arrays.stream(hidden).mapToObj(Integer::toString).collect(Collectors.joining("x"))
                + " ReLU MLP, " + epochs + " epochs in " + r.millis() + " ms; loss per epoch: "
                + r.epochLoss().stream().map(v -> String.format(Locale.ROOT, "%.4f", v)).collect(Collectors.joining(" ")));
        double trainAcc = Metrics.accuracy(r.network(), train);
        double testAcc = Metrics.accuracy(r.network(), test);
        System.out.printf(Locale.ROOT, "accuracy: train %.4f, test %.4f (%d test rows)%n", trainAcc, testAcc, test.rows());
        return testAcc;
    }

    /** Writes the model and checks that the file reads back to the same decisions. */
    private boolean writeChecked(MlpTrainer.Result r, Dataset test, Map<String, String> meta) {
        OnnxModel.fromDense(r.network(), "input", "output", false, meta).write(out);
        int[] direct = Metrics.predict(r.network(), test.x());
        int[] reread = Metrics.predict(Models.readDense(out), test.x());
        if (!Arrays.equals(direct, reread)) {
            System.err.println("engram train: the written model does not read back to the trained network");
            return false;
        }
        return true;
    }

    /** The user's text after the end marker of an existing declarations file (empty when none). */
    static String keptRules(Path rules) {
        if (!Files.isRegularFile(rules)) {
            return "";
        }
        String text;
        try {
            text = Files.readString(rules, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(rules + ": cannot read: " + e.getMessage(), e);
        }
        int at = text.indexOf(Encoding.END_MARKER);
        if (at < 0) {
            if (text.isBlank()) {
                return "";
            }
            throw new IllegalArgumentException(rules + " exists and was not written by engram train (no end-of-declarations"
                    + " marker); refusing to overwrite it: choose another --rules-out");
        }
        int nl = text.indexOf('\n', at);
        return nl < 0 ? "" : text.substring(nl + 1);
    }

    private static String stem(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
