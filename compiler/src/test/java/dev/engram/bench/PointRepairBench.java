package dev.engram.bench;

import dev.engram.Engram;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.RuleReport;
import dev.engram.data.ArrayData;
import dev.engram.diag.Diagnostic;
import dev.engram.front.PointSet;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Benchmark (not a unit test): pointwise and local repair of misclassified test images on a dense MLP, through the
 * facade exactly as {@code engram compile --fix-points} runs it. For each N (misclassified test images, the first N
 * in file order) and each radius (0: the images themselves), compiles with the training images as the inputs to
 * keep, and prints: every obligation proved on the written file or not, the test accuracy before and after on the
 * test set without the repaired images (the drawdown), the wall and process CPU time of the compilation.
 * Usage: {@code PointRepairBench MODEL.onnx [DATA_DIR=../shared/data/fashion-mnist] [N,N,..=10] [EPS,EPS,..=0]
 * [KEEP=5000]}. The {@code mnist_relu_9_200} run (its graph has Sub/Div) is {@link GraphPointRepairBench}.
 */
public final class PointRepairBench {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path data = Path.of(args.length > 1 ? args[1] : "../shared/data/fashion-mnist");
        int[] ns = ints(args.length > 2 ? args[2] : "10");
        double[] epss = doubles(args.length > 3 ? args[3] : "0");
        int keep = Integer.parseInt(args.length > 4 ? args[4] : "5000");
        Path images = data.resolve("t10k-images-idx3-ubyte.gz");
        Path labels = data.resolve("t10k-labels-idx1-ubyte.gz");
        Path train = data.resolve("train-images-idx3-ubyte.gz");
        List<float[]> x = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        read(images, labels, x, y);
        DenseNetwork net = Models.load(model).dense();
        List<Integer> wrong = new ArrayList<>();
        for (int i = 0; i < x.size(); i++) {
            if (argmax(net.evaluate(x.get(i))) != y.get(i)) {
                wrong.add(i);
            }
        }
        System.out.printf(Locale.ROOT, "model %s: test accuracy %.4f (%d of %d misclassified); keep %d training "
                + "images; load %s%n", model, 1 - wrong.size() / (double) x.size(), wrong.size(), x.size(), keep,
                load());
        Path tmp = Files.createTempDirectory("point-bench");
        for (int n : ns) {
            for (double eps : epss) {
                List<Integer> fix = wrong.subList(0, Math.min(n, wrong.size()));
                Path out = tmp.resolve("fixed-" + n + "-" + eps + ".onnx");
                long cpu0 = cpu();
                long t0 = System.nanoTime();
                CompileResult r = Engram.compile(CompileRequest.builder().setModel(model).optOut(out)
                        .addPoints(new PointSet(images, labels, fix, eps, 0, 1, train, keep))
                        .optFidelitySamples(100).optTimeout(1800).build());
                double wall = (System.nanoTime() - t0) / 1e9;
                double cpuS = (cpu() - cpu0) / 1e9;
                long proved = r.rules().stream().filter(RuleReport::proved).count();
                double lower = r.rules().isEmpty() ? 0 : r.rules().get(0).lowerSeconds();
                double prove = r.rules().stream().mapToDouble(RuleReport::verifySeconds).sum();
                String acc = "-";
                if (r.proved()) {
                    DenseNetwork back = Models.load(out).dense();
                    Set<Integer> skip = new HashSet<>(fix);
                    int before = 0;
                    int after = 0;
                    int total = 0;
                    for (int i = 0; i < x.size(); i++) {
                        if (!skip.contains(i)) {
                            total++;
                            before += argmax(net.evaluate(x.get(i))) == y.get(i) ? 1 : 0;
                            after += argmax(back.evaluate(x.get(i))) == y.get(i) ? 1 : 0;
                        }
                    }
                    acc = String.format(Locale.ROOT, "accuracy %.4f -> %.4f, drawdown %.2f %%", before / (double) total,
                            after / (double) total, 100.0 * (before - after) / total);
                }
                System.out.printf(Locale.ROOT, "N=%d eps=%.3f: %s, %d/%d proved on the written file; %s; wall %.1f s "
                                + "(lower %.1f s, prove %.1f s), process CPU %.1f s; load %s%n", n, eps, r.outcome(),
                        proved, r.rules().size(), acc, wall, lower, prove, cpuS, load());
                if (!r.proved()) {
                    r.diagnostics().stream().limit(3).map(Diagnostic::message).forEach(m -> System.out.println("  " + m));
                }
            }
        }
    }

    static void read(Path images, Path labels, List<float[]> x, List<Integer> y) {
        try (ArrayData.Rows rows = ArrayData.Rows.open(images, Optional.of(labels))) {
            for (ArrayData.Rows.Chunk c = rows.next(1024); c != null; c = rows.next(1024)) {
                for (int r = 0; r < c.size(); r++) {
                    x.add(c.x()[r]);
                    y.add((int) c.labels()[r]);
                }
            }
        }
    }

    static int argmax(float[] z) {
        int k = 0;
        for (int j = 1; j < z.length; j++) {
            if (z[j] > z[k]) {
                k = j;
            }
        }
        return k;
    }

    static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static String load() {
        return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static int[] ints(String s) {
        return java.util.Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    static double[] doubles(String s) {
        return java.util.Arrays.stream(s.split(",")).mapToDouble(Double::parseDouble).toArray();
    }
}
