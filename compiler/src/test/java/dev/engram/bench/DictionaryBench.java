package dev.engram.bench;

import dev.engram.data.ArrayData;
import dev.engram.dict.ConceptSpec;
import dev.engram.dict.DataLayout;
import dev.engram.dict.LayerTaps;
import dev.engram.dict.Learner;
import dev.engram.model.LoadedModel;
import dev.engram.model.Models;
import dev.engram.model.exec.DenseExecutor;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.source.Span;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Benchmark (not a unit test): dictionary learning on Fashion-MNIST. (0) The CPU time of decoding the gzip files alone
 * (the part of learning that is neither the model nor the statistics). (1) The executor's inference throughput on the
 * 60,000 training images (in memory, batches of 512) against the learning throughput (streaming the gzip file,
 * tapping every hidden layer, merging statistics, held-out quality of two concepts), in wall time and in the
 * process's CPU time (less sensitive to other load on the machine: the learning uses several threads; both include
 * the JIT's and the collector's threads). (2) Memory as the data grows: the same images written 1× and 10× to uncompressed IDX files, each learned in this JVM with the peak heap measured
 * (run it with a small heap, e.g. {@code BENCH_JAVA_OPTS=-Xmx512m}: memory that grew with the data would not fit).
 * The model may be a CNN (its inference is then the graph executor's; its taps the convolutional part's, then the
 * dense tail's). Usage: {@code DictionaryBench MODEL.onnx [shared/data] [--throughput-only]}.
 */
public final class DictionaryBench {
    /** Inference runs (the best counts). */
    static final int INFERENCE_REPS = 5;
    /** Learning runs (the best counts): the first few still JIT-compile the learning code, which is larger. */
    static final int LEARNING_REPS = Integer.getInteger("bench.learningReps", 6);

    public static void main(String[] args) throws Exception {
        Path modelPath = Path.of(args[0]);
        Path data = Path.of(args.length > 1 ? args[1] : "../shared/data").resolve("fashion-mnist");
        Path images = data.resolve("train-images-idx3-ubyte.gz");
        LoadedModel model = Models.load(modelPath);
        LayerTaps taps = LayerTaps.of(model);
        System.out.printf(Locale.ROOT, "model %s (%d layers), vector kernel: %s; load average %s%n",
                modelPath.getFileName(), taps.depth(), DenseExecutor.vectorShape(), MemitBench.load());

        List<float[]> rows = new ArrayList<>();
        double decodeCpu = Double.MAX_VALUE;
        for (int rep = 0; rep < INFERENCE_REPS; rep++) {
            rows.clear();
            long c0 = cpu();
            try (ArrayData.Rows r = ArrayData.Rows.open(images, ArrayData.labelsFor(images))) {
                for (ArrayData.Rows.Chunk c = r.next(4096); c != null; c = r.next(4096)) {
                    rows.addAll(List.of(c.x()));
                }
            }
            decodeCpu = Math.min(decodeCpu, (cpu() - c0) / 1e9);
        }
        System.out.printf(Locale.ROOT, "decoding the gzip files alone (images and labels into "
                + "rows kept in memory, one thread): %.2f s of CPU (best of %d)%n", decodeCpu, INFERENCE_REPS);
        java.util.function.BiConsumer<float[], Integer> exec = taps.split() == null
                ? new DenseExecutor(taps.network())::run : new GraphExecutor(model.dag())::run;
        int n = rows.size();
        int w = taps.inputSize();
        double best = Double.MAX_VALUE;
        double bestCpu = Double.MAX_VALUE;
        for (int rep = 0; rep < INFERENCE_REPS; rep++) {
            long t0 = System.nanoTime();
            long c0 = cpu();
            for (int at = 0; at < n; at += 512) {
                int b = Math.min(512, n - at);
                float[] flat = new float[b * w];
                for (int i = 0; i < b; i++) {
                    System.arraycopy(rows.get(at + i), 0, flat, i * w, w);
                }
                exec.accept(flat, b);
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            bestCpu = Math.min(bestCpu, (cpu() - c0) / 1e9);
        }
        rows.clear();
        System.out.printf(Locale.ROOT, "inference: %d rows in %.2f s = %.0f rows/s (best of %d, one thread; %.2f s of "
                + "CPU)%n", n, best, n / best, INFERENCE_REPS, bestCpu);
        double learn = Double.MAX_VALUE;
        double learnCpu = Double.MAX_VALUE;
        for (int rep = 0; rep < LEARNING_REPS; rep++) {
            long t0 = System.nanoTime();
            long c0 = cpu();
            learn(taps, model.sha256(), images);
            learn = Math.min(learn, (System.nanoTime() - t0) / 1e9);
            learnCpu = Math.min(learnCpu, (cpu() - c0) / 1e9);
        }
        System.out.printf(Locale.ROOT, "learning: %d rows in %.2f s = %.0f rows/s (gzip decoding, taps of every hidden "
                + "layer, statistics, held-out quality; best of %d) = %.2f x inference; %.2f s of CPU (all threads) = "
                + "%.2f x inference's CPU%n", n, learn, n / learn, LEARNING_REPS, (n / learn) / (n / best), learnCpu,
                bestCpu / learnCpu);
        if (args.length > 2 && args[2].equals("--throughput-only")) {
            return;
        }

        Path tmp = Files.createTempDirectory("dict-bench");
        try {
            for (int times : new int[] {1, 10}) {
                Path copy = repeat(images, tmp, times);
                System.gc();
                ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
                long t0 = System.nanoTime();
                learn(taps, model.sha256(), copy);
                double s = (System.nanoTime() - t0) / 1e9;
                long peak = 0;
                for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (p.getType() == MemoryType.HEAP) {
                        peak += p.getPeakUsage().getUsed();
                    }
                }
                System.out.printf(Locale.ROOT, "memory: %2dx data (%d rows, %d MB uncompressed): %.1f s, peak heap %d MB "
                                + "(max heap %d MB)%n", times, (long) n * times, Files.size(copy) >> 20, s, peak >> 20,
                        Runtime.getRuntime().maxMemory() >> 20);
                Files.delete(copy);
                Files.delete(copy.resolveSibling(copy.getFileName().toString().replace("images-idx3", "labels-idx1")));
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** This process's CPU time (all threads, JIT and GC included), in nanoseconds. */
    static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static void learn(LayerTaps taps, String sha, Path images) {
        List<ConceptSpec> specs = List.of(
                new ConceptSpec("footwear", images, "label in {5, 7, 9}", OptionalInt.empty(), Span.NONE),
                new ConceptSpec("upper_body", images, "label in {0, 2, 4, 6}", OptionalInt.empty(), Span.NONE));
        Learner.learn(taps, sha, DataLayout.none(taps.inputSize(), taps.outputSize()), specs,
                Learner.Options.builder().optTestData(Optional.of(images)).build());
    }

    /** The images (and labels) of {@code gz} written {@code times} times into one uncompressed IDX file pair. */
    static Path repeat(Path gz, Path dir, int times) throws Exception {
        Path img = dir.resolve("x" + times + "-images-idx3-ubyte");
        Path lab = dir.resolve("x" + times + "-labels-idx1-ubyte");
        try (ArrayData.Rows r0 = ArrayData.Rows.open(gz, ArrayData.labelsFor(gz))) {
            long n = r0.rows();
            try (DataOutputStream oi = out(img); DataOutputStream ol = out(lab)) {
                oi.writeInt(0x0803);
                oi.writeInt((int) (n * times));
                oi.writeInt(28);
                oi.writeInt(28);
                ol.writeInt(0x0801);
                ol.writeInt((int) (n * times));
                for (int t = 0; t < times; t++) {
                    try (ArrayData.Rows r = ArrayData.Rows.open(gz, ArrayData.labelsFor(gz))) {
                        for (ArrayData.Rows.Chunk c = r.next(4096); c != null; c = r.next(4096)) {
                            for (int i = 0; i < c.size(); i++) {
                                for (float v : c.x()[i]) {
                                    oi.write(Math.round(v * 255));
                                }
                                ol.write((int) c.labels()[i]);
                            }
                        }
                    }
                }
            }
        }
        return img;
    }

    private static DataOutputStream out(Path p) throws Exception {
        OutputStream o = Files.newOutputStream(p);
        return new DataOutputStream(new BufferedOutputStream(o, 1 << 16));
    }
}
