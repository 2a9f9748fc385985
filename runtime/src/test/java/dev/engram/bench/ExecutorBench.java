package dev.engram.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.model.exec.DenseExecutor;
import dev.engram.model.onnx.OnnxModel;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * Benchmark (not a unit test): executor throughput on 100,000 ACAS Xu inputs against ONNX Runtime (batched
 * {@code [n,5]}) on the same machine and the same inputs. Repetitions of the two engines are interleaved so that
 * load from other processes hits both alike; reports best and median per engine, inputs/s, max |diff| against ORT,
 * and whether the executor equals {@link DenseNetwork#evaluate} bit for bit. Single-threaded is the headline;
 * 2 threads are reported separately.
 * Usage: {@code ExecutorBench [acas.onnx or ""] [inputs] [reps]}; {@code -Dbench.percall=true} adds ORT one call per input.
 */
public final class ExecutorBench {
    public static void main(String[] args) throws Exception {
        Path model = args.length > 0 && !args[0].isEmpty() ? Path.of(args[0]) : defaultModel();
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        DenseNetwork net = Models.readDense(model);
        Random rnd = new Random(1);
        float[] x = new float[n * 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat() - 0.5f;
        }
        System.out.printf("model %s, %d inputs, vector kernel %s, %d reps interleaved, %d CPUs, load average %.2f%n",
                model.getFileName(), n, DenseExecutor.vectorized() ? DenseExecutor.vectorShape() : "off", reps,
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        DenseExecutor ex = new DenseExecutor(net);
        float[] ours = ex.run(x, n);
        int mismatches = 0;
        for (int i = 0; i < n; i++) {
            float[] ref = net.evaluate(Arrays.copyOfRange(x, i * 5, i * 5 + 5));
            for (int k = 0; k < 5; k++) {
                if (Float.floatToRawIntBits(ref[k]) != Float.floatToRawIntBits(ours[i * 5 + k])) {
                    mismatches++;
                }
            }
        }
        float[] ours2 = ex.run(x, n, 2);
        System.out.printf("executor vs DenseNetwork.evaluate on all %d inputs: %s; 2 threads equal 1 thread: %s%n", n,
                mismatches == 0 ? "bit-identical" : mismatches + " MISMATCHES", Arrays.equals(ours, ours2));

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] batched = OnnxModel.fromDense(net, "input", "output", false, Map.of()).toBytes();
        for (int threads : new int[] {1, 2}) {
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setIntraOpNumThreads(threads);
                o.setInterOpNumThreads(1);
                try (OrtSession s = env.createSession(batched, o);
                     OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, 5})) {
                    float[] ort = new float[n * 5];
                    float[][] last = new float[1][];
                    Interleaved.Times tm = Interleaved.time(5, reps, () -> ortRun(s, t, ort),
                            () -> last[0] = ex.run(x, n, threads));
                    ours = last[0];
                    double maxDiff = Interleaved.maxAbsDiff(ort, ours);
                    report("engram executor", threads, n, tm.b(), "");
                    report("onnxruntime batched [" + n + ",5]", threads, n, tm.a(),
                            String.format(", max |diff| vs engram %.3g", maxDiff));
                    System.out.printf("  %d thread(s): engram/ORT time ratio best %.2f, median %.2f (< 1 means engram"
                            + " faster)%n", threads, tm.bestB() / tm.bestA(), tm.medianB() / tm.medianA());
                }
            }
        }
        if (Boolean.getBoolean("bench.percall")) {
            perCall(env, model, x, Math.min(n, 100_000), ours);
        }
    }

    /** The ACAS Xu network 1_1 from the shared data folder beside the project (found from any module folder). */
    private static Path defaultModel() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path m = p.resolve("shared/data/acasxu/onnx/ACASXU_run2a_1_1_batch_2000.onnx");
            if (Files.exists(m)) {
                return m;
            }
        }
        throw new IllegalStateException("ACAS Xu data not found in ../shared/data above " + Path.of("").toAbsolutePath()
                + "; pass the model path as the first argument");
    }

    /** One batched ORT call; the output is copied into {@code out} (no per-row arrays). */
    private static void ortRun(OrtSession s, OnnxTensor in, float[] out) throws Exception {
        try (OrtSession.Result res = s.run(Map.of("input", in))) {
            ((OnnxTensor) res.get(0)).getFloatBuffer().get(out);
        }
    }

    private static void report(String what, int threads, int n, double[] sorted, String extra) {
        double best = sorted[0];
        double median = Interleaved.Times.median(sorted);
        System.out.printf("%-36s %d thread(s): best %6.1f ms (%,.0f inputs/s), median %6.1f ms (%,.0f inputs/s)%s%n",
                what, threads, best * 1e3, n / best, median * 1e3, n / median, extra);
    }

    /** ORT on the original file, whose input shape is fixed [1,1,1,5]: one call per input. */
    private static void perCall(OrtEnvironment env, Path model, float[] x, int m, float[] ours) throws Exception {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(Files.readAllBytes(model), o)) {
                String in = s.getInputNames().iterator().next();
                float[] row = new float[5];
                double maxDiff = 0;
                double t = 0;
                for (int pass = 0; pass < 2; pass++) {
                    long t1 = System.nanoTime();
                    for (int i = 0; i < m; i++) {
                        System.arraycopy(x, i * 5, row, 0, 5);
                        try (OnnxTensor tt = OnnxTensor.createTensor(env, FloatBuffer.wrap(row), new long[] {1, 1, 1, 5});
                             OrtSession.Result res = s.run(Map.of(in, tt))) {
                            if (pass == 1 && i % 97 == 0) {
                                float[] y = ((float[][]) res.get(0).getValue())[0];
                                for (int k = 0; k < 5; k++) {
                                    maxDiff = Math.max(maxDiff, Math.abs(y[k] - ours[i * 5 + k]));
                                }
                            }
                        }
                    }
                    t = (System.nanoTime() - t1) / 1e9;
                }
                System.out.printf("onnxruntime original model (1 thread, one call per input): %.1f ms, %,.0f inputs/s,"
                        + " max |diff| %.3g%n", t * 1e3, m / t, maxDiff);
            }
        }
    }
}
