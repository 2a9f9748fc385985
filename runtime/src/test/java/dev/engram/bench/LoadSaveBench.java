package dev.engram.bench;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.onnx.OnnxModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Benchmark (not a unit test): load + save speed of a generated ~200 MB ONNX model (5 dense layers of
 * 3200x3200 float32). Usage: {@code LoadSaveBench [folder]}; run with {@code -Xmx4g} or more; {@code -Druns=N} (default 7),
 * {@code -Dkeep=true} keeps the generated model. Prints every run and best/median MB/s.
 */
public final class LoadSaveBench {
    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("loadsave");
        int width = 3200;
        Random rnd = new Random(1);
        List<DenseLayer> layers = new ArrayList<>();
        for (int l = 0; l < 5; l++) {
            float[][] w = new float[width][width];
            for (float[] row : w) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = rnd.nextFloat() - 0.5f;
                }
            }
            layers.add(DenseLayer.of("l" + l, w, new float[width], l == 4 ? Activation.IDENTITY : Activation.RELU));
        }
        Path src = dir.resolve("big.onnx");
        OnnxModel.fromDense(new DenseNetwork(layers), "x", "y", false, Map.of()).write(src);
        layers = null;
        long size = Files.size(src);
        System.out.printf("generated %s: %.1f MB%n", src, size / 1e6);
        Path out = dir.resolve("big-copy.onnx");
        int runs = Integer.getInteger("runs", 7);
        double[] loads = new double[runs];
        double[] saves = new double[runs];
        double[] both = new double[runs];
        for (int r = 0; r < runs; r++) {
            System.gc();
            long t0 = System.nanoTime();
            OnnxModel m = OnnxModel.read(src);
            long t1 = System.nanoTime();
            m.write(out);
            long t2 = System.nanoTime();
            double load = (t1 - t0) / 1e9;
            double save = (t2 - t1) / 1e9;
            loads[r] = load;
            saves[r] = save;
            both[r] = load + save;
            System.out.printf("run %d: load %.0f ms (%.0f MB/s), save %.0f ms (%.0f MB/s), load+save %.0f MB/s%n", r,
                    load * 1e3, size / 1e6 / load, save * 1e3, size / 1e6 / save, size / 1e6 / (load + save));
        }
        double mb = size / 1e6;
        System.out.printf("summary over %d runs: load best %.0f / median %.0f MB/s, save best %.0f / median %.0f MB/s,"
                + " load+save best %.0f / median %.0f MB/s (save includes fsync; load average %.2f on %d CPUs)%n", runs,
                mb / min(loads), mb / median(loads), mb / min(saves), mb / median(saves), mb / min(both),
                mb / median(both), java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
        byte[] bytes = Files.readAllBytes(src);
        for (int r = 0; r < 3; r++) {
            long t0 = System.nanoTime();
            OnnxModel m = OnnxModel.parse(bytes, null, null, dev.engram.model.ModelLimits.defaults());
            byte[] b = m.toBytes();
            long t1 = System.nanoTime();
            Path plain = dir.resolve("plain.bin");
            Files.write(plain, b);
            long t2 = System.nanoTime();
            Files.delete(plain);
            System.out.printf("in memory: parse+validate+serialize %.0f ms (%.0f MB/s); plain Files.write of the same"
                    + " bytes (disk baseline, no fsync) %.0f ms (%.0f MB/s)%n", (t1 - t0) / 1e6,
                    size / 1e6 / ((t1 - t0) / 1e9), (t2 - t1) / 1e6, size / 1e6 / ((t2 - t1) / 1e9));
        }
        System.out.println("identical bytes: " + java.util.Arrays.equals(Files.readAllBytes(src), Files.readAllBytes(out)));
        Files.delete(out);
        if (!Boolean.getBoolean("keep")) {
            Files.delete(src);
        }
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElseThrow();
    }

    private static double median(double[] v) {
        double[] t = v.clone();
        java.util.Arrays.sort(t);
        return t.length % 2 == 1 ? t[t.length / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
    }
}
