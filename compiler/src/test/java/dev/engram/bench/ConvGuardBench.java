package dev.engram.bench;

import dev.engram.model.Models;
import dev.engram.model.exec.GraphExecutor;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Benchmark (not a unit test): fidelity of a guard compiled into a VNN-COMP {@code verivital} network
 * ({@code engram compile --model Convnet_*.onnx --enforce prop.vnnlib --out guarded.onnx}), both models executed by the
 * graph executor on:
 * <ul>
 *   <li>the MNIST test images the verivital specifications are centred on (image and label read back from every
 *       {@code .vnnlib} in the folder; the folder holds no MNIST test set): accuracy before and after, decisions
 *       unchanged;</li>
 *   <li>the 10,000 Fashion-MNIST test images ({@code ../shared/data/fashion-mnist}): natural images the network was
 *       not trained on, decisions unchanged;</li>
 *   <li>the rule's image: inside its region (the decision must be the label everywhere sampled), and in the shell
 *       around it ({@code ε < ‖x − c‖∞ ≤ 4ε}), where the guard's over-approximation (its enclosure of the features)
 *       can reach: decisions unchanged, and the share whose outputs changed at all.</li>
 * </ul>
 * Usage: {@code ConvGuardBench ORIGINAL.onnx GUARDED.onnx RULE.vnnlib [shared/data]}.
 */
public final class ConvGuardBench {
    private static final Pattern LABEL = Pattern.compile("label: *(\\d+)");
    private static final Pattern BOUND = Pattern.compile("\\(assert \\(([<>]=) X_(\\d+) ([-0-9.eE]+)\\)\\)");

    public static void main(String[] args) throws Exception {
        Path original = Path.of(args[0]);
        Path guarded = Path.of(args[1]);
        Path rule = Path.of(args[2]);
        Path data = Path.of(args.length > 3 ? args[3] : "../shared/data");
        GraphExecutor a = new GraphExecutor(Models.load(original).dag());
        GraphExecutor b = new GraphExecutor(Models.load(guarded).dag());

        Map<String, Spec> images = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(data.resolve("vnncomp2021/verivital/specs"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".vnnlib")).sorted().toList()) {
                Spec sp = Spec.read(p);
                images.putIfAbsent(java.util.Arrays.toString(sp.image), sp);
            }
        }
        float[][] x = images.values().stream().map(sp -> sp.image).toArray(float[][]::new);
        int[] label = images.values().stream().mapToInt(sp -> sp.label).toArray();
        float[][] ya = a.run(x);
        float[][] yb = b.run(x);
        int ra = 0;
        int rb = 0;
        int same = 0;
        for (int k = 0; k < x.length; k++) {
            ra += argmax(ya[k]) == label[k] ? 1 : 0;
            rb += argmax(yb[k]) == label[k] ? 1 : 0;
            same += argmax(ya[k]) == argmax(yb[k]) ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "MNIST spec images: %d; accuracy before %.2f%%, after %.2f%%; decisions unchanged"
                + " %.2f%%%n", x.length, 100.0 * ra / x.length, 100.0 * rb / x.length, 100.0 * same / x.length);

        Path fashion = data.resolve("fashion-mnist/t10k-images-idx3-ubyte.gz");
        if (Files.exists(fashion)) {
            float[][] f = idx(fashion);
            long t0 = System.nanoTime();
            int[] c = agreement(a, b, f);
            System.out.printf(Locale.ROOT, "Fashion-MNIST test images: %d; decisions unchanged %.2f%%, outputs changed"
                    + " %.2f%% (%.1f s)%n", f.length, 100.0 * c[0] / f.length, 100.0 * c[1] / f.length,
                    (System.nanoTime() - t0) / 1e9);
        }

        Spec r = Spec.read(rule);
        Random rnd = new Random(1);
        float[][] in = new float[2000][];
        float[][] shell = new float[2000][];
        for (int k = 0; k < in.length; k++) {
            in[k] = new float[r.image.length];
            shell[k] = new float[r.image.length];
            double d = r.eps * (1 + 3 * rnd.nextDouble());
            int far = rnd.nextInt(r.image.length);
            for (int i = 0; i < r.image.length; i++) {
                in[k][i] = (float) Math.max(r.lo[i], Math.min(r.hi[i], r.lo[i] + rnd.nextDouble() * (r.hi[i] - r.lo[i])));
                double v = i == far ? (rnd.nextBoolean() ? d : -d) : (2 * rnd.nextDouble() - 1) * d;
                shell[k][i] = (float) Math.max(0, Math.min(1, r.image[i] + v));
            }
            if (Math.abs(shell[k][far] - r.image[far]) <= r.eps) {
                shell[k][far] = (float) (r.image[far] + d <= 1 ? r.image[far] + d : r.image[far] - d);
            }
        }
        float[][] yi = b.run(in);
        int holds = 0;
        for (float[] y : yi) {
            holds += argmax(y) == r.label ? 1 : 0;
        }
        int[] c = agreement(a, b, shell);
        System.out.printf(Locale.ROOT, "rule %s (label %d, eps %.4g): inside the region, label decided on %d/%d samples;"
                + " shell eps < |x-c|inf <= 4 eps: decisions unchanged %.2f%%, outputs changed %.2f%%%n",
                rule.getFileName(), r.label, r.eps, holds, in.length, 100.0 * c[0] / shell.length,
                100.0 * c[1] / shell.length);
    }

    /** Decisions unchanged and outputs changed (any bit), in batches. */
    static int[] agreement(GraphExecutor a, GraphExecutor b, float[][] x) {
        int same = 0;
        int changed = 0;
        for (int s = 0; s < x.length; s += 256) {
            float[][] part = java.util.Arrays.copyOfRange(x, s, Math.min(x.length, s + 256));
            float[][] ya = a.run(part);
            float[][] yb = b.run(part);
            for (int k = 0; k < part.length; k++) {
                same += argmax(ya[k]) == argmax(yb[k]) ? 1 : 0;
                changed += java.util.Arrays.equals(ya[k], yb[k]) ? 0 : 1;
            }
        }
        return new int[] {same, changed};
    }

    static int argmax(float[] y) {
        int b = 0;
        for (int j = 1; j < y.length; j++) {
            if (y[j] > y[b]) {
                b = j;
            }
        }
        return b;
    }

    /** An IDX image file as rows of pixels in [0, 1]. */
    static float[][] idx(Path p) throws IOException {
        try (InputStream raw = Files.newInputStream(p); DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            in.readInt();
            int n = in.readInt();
            int size = in.readInt() * in.readInt();
            float[][] x = new float[n][size];
            byte[] row = new byte[size];
            for (int k = 0; k < n; k++) {
                in.readFully(row);
                for (int i = 0; i < size; i++) {
                    x[k][i] = (row[i] & 0xff) / 255f;
                }
            }
            return x;
        }
    }

    /** A verivital specification: the box, the radius (from the file name), the image it is centred on, the label. */
    record Spec(double[] lo, double[] hi, double eps, float[] image, int label) {
        static Spec read(Path p) throws IOException {
            String text = Files.readString(p);
            Matcher m = LABEL.matcher(text);
            int label = m.find() ? Integer.parseInt(m.group(1)) : -1;
            String name = p.getFileName().toString();
            double eps = Double.parseDouble(name.substring(name.lastIndexOf('_') + 1, name.length() - ".vnnlib".length()));
            double[] lo = new double[784];
            double[] hi = new double[784];
            Matcher b = BOUND.matcher(text);
            while (b.find()) {
                int i = Integer.parseInt(b.group(2));
                double v = Double.parseDouble(b.group(3));
                if (b.group(1).equals("<=")) {
                    hi[i] = v;
                } else {
                    lo[i] = v;
                }
            }
            float[] image = new float[784];
            for (int i = 0; i < 784; i++) {
                // the box is the ε-ball around the image, clipped to [0, 1]
                image[i] = (float) (lo[i] > 0 ? lo[i] + eps : Math.max(0, hi[i] - eps));
            }
            return new Spec(lo, hi, eps, image, label);
        }
    }
}
