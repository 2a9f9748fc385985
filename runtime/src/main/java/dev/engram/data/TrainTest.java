package dev.engram.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A training table, a test table and the label column, located from a folder or file:
 * <ul>
 *   <li>a folder holding {@code adult.data} and {@code adult.test} (or {@code adult.data} itself when
 *       {@code adult.test} sits next to it): the UCI train/test split, the test labels' trailing period removed;</li>
 *   <li>a folder holding exactly one {@code .arff} file, or any other CSV/ARFF file: a seeded split,
 *       {@code trainFraction} of the rows for training.</li>
 * </ul>
 * The label defaults to the last column.
 */
public record TrainTest(Table train, Table test, String label, String description) {

    /** Default share of rows used for training when the data has no test file. */
    public static final double TRAIN_FRACTION = 0.8;

    public static TrainTest load(Path dirOrFile, Optional<String> label, long seed) {
        Path trainFile;
        Path testFile = null;
        if (Files.isDirectory(dirOrFile)) {
            if (Files.isRegularFile(dirOrFile.resolve("adult.data"))) {
                trainFile = dirOrFile.resolve("adult.data");
            } else {
                List<Path> arff = new ArrayList<>();
                try (Stream<Path> s = Files.list(dirOrFile)) {
                    s.filter(p -> p.getFileName().toString().endsWith(".arff")).sorted().forEach(arff::add);
                } catch (IOException e) {
                    throw new IllegalArgumentException(dirOrFile + ": cannot list: " + e.getMessage(), e);
                }
                if (arff.size() != 1) {
                    throw new IllegalArgumentException(dirOrFile + ": expected adult.data or exactly one .arff file, found "
                            + arff.size() + " .arff files");
                }
                trainFile = arff.get(0);
            }
        } else if (Files.isRegularFile(dirOrFile)) {
            trainFile = dirOrFile;
        } else {
            throw new IllegalArgumentException(dirOrFile + ": no such file or folder");
        }
        String name = trainFile.getFileName().toString();
        if (name.endsWith(".data")) {
            Path t = trainFile.resolveSibling(name.substring(0, name.length() - ".data".length()) + ".test");
            if (Files.isRegularFile(t)) {
                testFile = t;
            }
        }
        Table all = TableReader.read(trainFile);
        String lab = label.orElse(all.names().get(all.names().size() - 1));
        all.column(lab);
        if (testFile != null) {
            Table test = TableReader.read(testFile);
            test = alignLabel(all, test, lab);
            return new TrainTest(all.withoutMissing(lab), test.withoutMissing(lab), lab,
                    trainFile.getFileName() + " (" + all.rows() + " rows) / " + testFile.getFileName() + " ("
                            + test.rows() + " rows)");
        }
        Table[] parts = all.withoutMissing(lab).split(TRAIN_FRACTION, seed);
        return new TrainTest(parts[0], parts[1], lab, trainFile.getFileName() + ": seeded split " + parts[0].rows()
                + " train / " + parts[1].rows() + " test rows (seed " + seed + ")");
    }

    /** Removes a trailing period from test labels when that makes them training classes (UCI {@code adult.test}). */
    static Table alignLabel(Table train, Table test, String label) {
        if (!(train.column(label) instanceof Column.Categorical tr)
                || !(test.column(label) instanceof Column.Categorical te)) {
            return test;
        }
        for (String v : te.levels()) {
            if (!tr.levels().contains(v) && v.endsWith(".") && tr.levels().contains(v.substring(0, v.length() - 1))) {
                return test.withoutSuffix(label, ".");
            }
        }
        return test;
    }
}
