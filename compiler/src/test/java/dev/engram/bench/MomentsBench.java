package dev.engram.bench;

import dev.engram.dict.LayerMoments;

import java.util.Locale;
import java.util.Random;

/**
 * Benchmark (not a unit test): {@link LayerMoments#add} alone, the dictionary's statistics without the model or the
 * data file: 48,000 rows (the fit split of Fashion-MNIST's training images) of a 256-wide and a 128-wide layer (the
 * example MLP's hidden layers), two concepts ({@code -Dbench.concepts=N}: N), in chunks of 128 rows as a learning worker adds them; CPU time of this
 * thread, best of 10. Usage: {@code MomentsBench}.
 */
public final class MomentsBench {
    public static void main(String[] args) {
        int rows = 48_000;
        int chunk = 128;
        int[] widths = {256, 128};
        Random r = new Random(1);
        float[][] data = new float[widths.length][];
        for (int l = 0; l < widths.length; l++) {
            data[l] = new float[chunk * widths[l]];
            for (int i = 0; i < data[l].length; i++) {
                data[l][i] = r.nextFloat() < 0.5 ? 0 : r.nextFloat() * 4; // ReLU-like: half zeros
            }
        }
        byte[][] labels = new byte[2][chunk];
        for (int i = 0; i < chunk; i++) {
            labels[0][i] = (byte) (i % 3 == 0 ? 1 : 0);
            labels[1][i] = (byte) (i % 5 == 0 ? 1 : 0);
        }
        java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 10; rep++) {
            long c0 = t.getCurrentThreadCpuTime();
            for (int l = 0; l < widths.length; l++) {
                LayerMoments m = new LayerMoments(widths[l], Integer.getInteger("bench.concepts", 2));
                for (int at = 0; at < rows; at += chunk) {
                    m.add(data[l], chunk, java.util.Arrays.copyOf(labels, m.concepts()));
                }
            }
            best = Math.min(best, (t.getCurrentThreadCpuTime() - c0) / 1e9);
        }
        System.out.printf(Locale.ROOT, "statistics of %d rows of layers of 256 and 128 units: %.3f s of CPU (best of "
                + "10); load average %s%n", rows, best, MemitBench.load());
    }
}
