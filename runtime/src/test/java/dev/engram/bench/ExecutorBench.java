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
import java.util.Map;
import java.util.Random;

/**
 * Benchmark (not a unit test): executor throughput on 100,000 ACAS Xu inputs against ONNX Runtime on the same
 * machine, single-threaded both. Usage: {@code ExecutorBench [acas.onnx] [inputs]}.
 */
public final class ExecutorBench {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args.length > 0 ? args[0]
                : "../shared/data/acasxu/onnx/ACASXU_run2a_1_1_batch_2000.onnx");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        DenseNetwork net = Models.readDense(model);
        Random rnd = new Random(1);
        float[] x = new float[n * 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat() - 0.5f;
        }
        DenseExecutor ex = new DenseExecutor(net);
        float[] ours = null;
        for (int w = 0; w < 5; w++) {
            ours = ex.run(x, n);
        }
        int reps = 10;
        long t0 = System.nanoTime();
        for (int r = 0; r < reps; r++) {
            ours = ex.run(x, n);
        }
        double tOurs = (System.nanoTime() - t0) / 1e9 / reps;
        System.out.printf("engram executor (1 thread, batch %d): %.1f ms, %.0f inputs/s%n", n, tOurs * 1e3, n / tOurs);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        // ORT on the original file: its input shape is fixed [1,1,1,5], so one call per input
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(Files.readAllBytes(model), o)) {
                String in = s.getInputNames().iterator().next();
                int m = Math.min(n, 100_000);
                float[] row = new float[5];
                double maxDiff = 0;
                for (int pass = 0; pass < 2; pass++) {
                    long t1 = System.nanoTime();
                    for (int i = 0; i < m; i++) {
                        System.arraycopy(x, i * 5, row, 0, 5);
                        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(row), new long[] {1, 1, 1, 5});
                             OrtSession.Result res = s.run(Map.of(in, t))) {
                            if (pass == 1 && i % 97 == 0) {
                                float[] y = ((float[][]) res.get(0).getValue())[0];
                                for (int k = 0; k < 5; k++) {
                                    maxDiff = Math.max(maxDiff, Math.abs(y[k] - ours[i * 5 + k]));
                                }
                            }
                        }
                    }
                    double t = (System.nanoTime() - t1) / 1e9;
                    if (pass == 1) {
                        System.out.printf("onnxruntime original model (1 thread, one call per input): %.1f ms, %.0f inputs/s,"
                                + " max |diff| %.3g%n", t * 1e3, m / t, maxDiff);
                    }
                }
            }
        }
        // ORT batched on the same network written with a symbolic batch dimension
        byte[] batched = OnnxModel.fromDense(net, "input", "output", false, Map.of()).toBytes();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(batched, o)) {
                double best = Double.MAX_VALUE;
                float[][] y = null;
                for (int r = 0; r < 8; r++) {
                    long t1 = System.nanoTime();
                    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, 5});
                         OrtSession.Result res = s.run(Map.of("input", t))) {
                        y = (float[][]) res.get(0).getValue();
                    }
                    best = Math.min(best, (System.nanoTime() - t1) / 1e9);
                }
                double maxDiff = 0;
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < 5; k++) {
                        maxDiff = Math.max(maxDiff, Math.abs(y[i][k] - ours[i * 5 + k]));
                    }
                }
                System.out.printf("onnxruntime batched [%d,5] (1 thread, best of 8): %.1f ms, %.0f inputs/s, max |diff| %.3g%n",
                        n, best * 1e3, n / best, maxDiff);
            }
        }
    }
}
