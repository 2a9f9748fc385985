package dev.engram.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Examples stored as arrays: an inputs file (IDX or NPY, one example per row) and, beside it, a labels file. Unsigned
 * bytes are scaled to [0, 1] (value / 255: the convention of {@code engram train} and of most models trained on the
 * MNIST family); other element types are read as stored. Read whole for training ({@link #load}), or chunk by chunk
 * with {@link Rows} so that data larger than memory can be streamed.
 */
public final class ArrayData {
    private ArrayData() {
    }

    /**
     * The labels file that goes with {@code inputs}, when it exists: {@code X-images-idx3-ubyte[.gz]} →
     * {@code X-labels-idx1-ubyte[.gz]}; {@code NAME.npy} → {@code NAME.labels.npy}, and {@code x.npy} / {@code X.npy}
     * / {@code NAME_x.npy} → {@code y.npy} / {@code NAME_y.npy}.
     */
    public static Optional<Path> labelsFor(Path inputs) {
        String name = inputs.getFileName().toString();
        List<String> candidates = new ArrayList<>();
        if (name.contains("images-idx3")) {
            candidates.add(name.replace("images-idx3", "labels-idx1"));
        }
        if (name.endsWith(".npy")) {
            String stem = name.substring(0, name.length() - 4);
            candidates.add(stem + ".labels.npy");
            if (stem.equals("x") || stem.equals("X")) {
                candidates.add("y.npy");
            }
            if (stem.endsWith("_x") || stem.endsWith("_X")) {
                candidates.add(stem.substring(0, stem.length() - 2) + "_y.npy");
            }
        }
        for (String c : candidates) {
            Path p = inputs.resolveSibling(c);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** True when {@code file} is read by {@link ArrayFile} (IDX or NPY, by name), not as a table. */
    public static boolean isArrayFile(Path file) {
        String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".npy") || n.contains("-idx") || n.endsWith(".idx") || n.endsWith(".idx.gz");
    }

    /** A training and a test dataset, and where they came from. */
    public record Split(Dataset train, Dataset test, String description) {
    }

    /**
     * A folder holding {@code train-images-idx3-ubyte[.gz]} and {@code t10k-images-idx3-ubyte[.gz]} (the MNIST
     * family's layout) with their labels; or one inputs file with its labels, split at random ({@code seed}),
     * {@link TrainTest#TRAIN_FRACTION} for training. {@code classNames} names the classes (default "0", "1", ...).
     */
    public static Split trainTest(Path dirOrFile, List<String> classNames, long seed) {
        if (Files.isDirectory(dirOrFile)) {
            Path train = find(dirOrFile, "train-images-idx3-ubyte");
            Path test = find(dirOrFile, "t10k-images-idx3-ubyte");
            Dataset tr = load(train, classNames);
            Dataset te = load(test, tr.classes());
            return new Split(tr, te, train.getFileName() + " (" + tr.rows() + " rows) / " + test.getFileName()
                    + " (" + te.rows() + " rows)");
        }
        Dataset all = load(dirOrFile, classNames);
        int n = all.rows();
        int[] perm = Table.permutation(n, seed);
        int k = (int) Math.round(TrainTest.TRAIN_FRACTION * n);
        return new Split(select(all, perm, 0, k), select(all, perm, k, n), dirOrFile.getFileName()
                + ": seeded split " + k + " train / " + (n - k) + " test rows (seed " + seed + ")");
    }

    private static Dataset select(Dataset d, int[] perm, int from, int to) {
        float[][] x = new float[to - from][];
        int[] y = new int[to - from];
        for (int i = from; i < to; i++) {
            x[i - from] = d.x()[perm[i]];
            y[i - from] = d.y()[perm[i]];
        }
        return new Dataset(x, y, d.classes());
    }

    private static Path find(Path dir, String stem) {
        for (String s : new String[] {stem + ".gz", stem}) {
            if (Files.isRegularFile(dir.resolve(s))) {
                return dir.resolve(s);
            }
        }
        throw new IllegalArgumentException(dir + ": expected " + stem + "[.gz] (the MNIST family's file names)");
    }

    /**
     * The whole inputs file and its labels ({@link #labelsFor}) as a dataset; labels must be whole numbers from 0.
     * {@code classNames} names the classes (empty: "0" .. "k-1" for the largest label k-1).
     */
    public static Dataset load(Path inputs, List<String> classNames) {
        Path labels = labelsFor(inputs).orElseThrow(() -> new IllegalArgumentException(inputs
                + ": no labels file beside it (" + expectedLabels(inputs) + ")"));
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        try (Rows rows = Rows.open(inputs, Optional.of(labels))) {
            for (Rows.Chunk c = rows.next(1024); c != null; c = rows.next(1024)) {
                for (int r = 0; r < c.size(); r++) {
                    xs.add(c.x()[r]);
                    ys.add(label(inputs, c.labels()[r], xs.size()));
                }
            }
        }
        int max = ys.stream().mapToInt(Integer::intValue).max().orElse(0);
        List<String> classes = new ArrayList<>(classNames);
        if (classes.isEmpty()) {
            for (int k = 0; k <= Math.max(1, max); k++) {
                classes.add(Integer.toString(k));
            }
        } else if (max >= classes.size()) {
            throw new IllegalArgumentException(labels + ": label " + max + " but only " + classes.size()
                    + " class names");
        }
        return new Dataset(xs.toArray(new float[0][]), ys.stream().mapToInt(Integer::intValue).toArray(), classes);
    }

    private static int label(Path file, float v, int row) {
        if (!(v >= 0) || v != Math.rint(v) || v > 1_000_000) {
            throw new IllegalArgumentException(file + ": label " + v + " of row " + row
                    + " is not a class number (0, 1, ...)");
        }
        return (int) v;
    }

    /**
     * The rule-language declarations of a classifier trained on arrays: {@code model}, one {@code output} per class
     * (named after the class), {@code decide argmax}, then {@link Encoding#END_MARKER}. The {@code width} inputs are
     * not declared one by one (rules over learned concepts do not need them); {@code header} lines become comments.
     */
    public static String declarations(String modelPath, int width, List<String> classes, List<String> header) {
        StringBuilder sb = new StringBuilder();
        for (String h : header) {
            sb.append("// ").append(h).append('\n');
        }
        sb.append("// The model reads ").append(width).append(" inputs, as stored in the data (unsigned bytes / 255).\n\n");
        sb.append("model \"").append(modelPath.replace("\\", "/").replace("\"", "")).append("\"\n\n");
        java.util.Set<String> used = new java.util.HashSet<>();
        for (int k = 0; k < classes.size(); k++) {
            String id = Encoding.identifier(classes.get(k));
            for (int n = 2; !used.add(id); n++) {
                id = Encoding.identifier(classes.get(k)) + "_" + n;
            }
            sb.append("/// Score (logit) of class ").append(k).append(" (\"").append(classes.get(k).replace("\n", " "))
                    .append("\").\n");
            sb.append("output ").append(id).append(" at ").append(k).append('\n');
        }
        sb.append("\n/// The predicted class is the output with the highest score.\ndecide argmax\n\n");
        sb.append(Encoding.END_MARKER).append('\n');
        return sb.toString();
    }

    /** What {@link #labelsFor} looks for, for error messages. */
    public static String expectedLabels(Path inputs) {
        String name = inputs.getFileName().toString();
        if (name.contains("images-idx3")) {
            return name.replace("images-idx3", "labels-idx1");
        }
        return name.endsWith(".npy") ? name.substring(0, name.length() - 4) + ".labels.npy" : "X-labels-idx1-ubyte.gz";
    }

    /**
     * Inputs (and labels, when there are) read chunk by chunk. Unsigned-byte inputs are scaled to [0, 1]. Closing
     * closes both files.
     */
    public static final class Rows implements AutoCloseable {
        private final ArrayFile inputs;
        private final ArrayFile labels;
        private final float divisor;

        private Rows(ArrayFile inputs, ArrayFile labels) {
            this.inputs = inputs;
            this.labels = labels;
            this.divisor = inputs.unsignedBytes() ? 255f : 1f;
        }

        /** Opens {@code inputs} and, when given, its labels (one value per row, as many rows). */
        public static Rows open(Path inputs, Optional<Path> labels) {
            ArrayFile in = ArrayFile.open(inputs);
            if (labels.isEmpty()) {
                return new Rows(in, null);
            }
            ArrayFile lab;
            try {
                lab = ArrayFile.open(labels.get());
            } catch (RuntimeException e) {
                in.close();
                throw e;
            }
            if (lab.rowWidth() != 1 || lab.rows() != in.rows()) {
                in.close();
                lab.close();
                throw new IllegalArgumentException(labels.get() + ": " + lab.rows() + " rows of " + lab.rowWidth()
                        + " values; expected one label for each of the " + in.rows() + " rows of " + inputs);
            }
            return new Rows(in, lab);
        }

        /** Values per row. */
        public int width() {
            return inputs.rowWidth();
        }

        /** Number of rows. */
        public long rows() {
            return inputs.rows();
        }

        public boolean hasLabels() {
            return labels != null;
        }

        /** {@code size} rows: inputs (scaled) and labels (NaN without a labels file). */
        public record Chunk(float[][] x, float[] labels, int size) {
        }

        /** The next at most {@code max} rows, or null at the end. */
        public Chunk next(int max) {
            float[][] x = new float[max][inputs.rowWidth()];
            int n = inputs.read(x, max);
            if (n == 0) {
                return null;
            }
            if (divisor != 1f) {
                for (int r = 0; r < n; r++) {
                    float[] row = x[r];
                    for (int i = 0; i < row.length; i++) {
                        row[i] /= divisor;
                    }
                }
            }
            float[] y = new float[n];
            if (labels != null) {
                float[][] l = new float[n][1];
                int m = labels.read(l, n);
                if (m != n) {
                    throw new IllegalArgumentException("labels end before the inputs");
                }
                for (int r = 0; r < n; r++) {
                    y[r] = l[r][0];
                }
            } else {
                java.util.Arrays.fill(y, Float.NaN);
            }
            return new Chunk(n == max ? x : java.util.Arrays.copyOf(x, n), y, n);
        }

        @Override
        public void close() {
            inputs.close();
            if (labels != null) {
                labels.close();
            }
        }
    }
}
