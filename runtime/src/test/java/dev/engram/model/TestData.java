package dev.engram.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Shared test helpers: locating the shared data, running ONNX Runtime, random networks. */
public final class TestData {
    private TestData() {
    }

    /** The shared data folder: the system property {@code engram.shared.data} when it exists, else the first
     * {@code shared/data} found walking up from the working directory (worktrees sit deeper than checkouts). */
    public static Path shared() {
        String p = System.getProperty("engram.shared.data");
        if (p != null && Files.isDirectory(Path.of(p))) {
            return Path.of(p);
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("shared/data"))) {
                return d.resolve("shared/data");
            }
        }
        return Path.of(p == null ? "../shared/data" : p);
    }

    public static Path acasOnnx(int i, int j) {
        return shared().resolve("acasxu/onnx/ACASXU_run2a_" + i + "_" + j + "_batch_2000.onnx");
    }

    public static Path acasNnet(int i, int j) {
        return shared().resolve("acasxu/nnet/ACASXU_run2a_" + i + "_" + j + "_batch_2000.nnet");
    }

    public static void assumeAcas() {
        assumeTrue(Files.isRegularFile(acasOnnx(1, 1)) && Files.isRegularFile(acasNnet(1, 1)),
                "ACAS Xu networks not found under " + shared().toAbsolutePath() + " (set -Dengram.shared.data)");
    }

    public static List<int[]> acasIds() {
        List<int[]> out = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            for (int j = 1; j <= 9; j++) {
                out.add(new int[] {i, j});
            }
        }
        return out;
    }

    /** Runs ORT on one input per call, feeding the model's declared input shape. */
    public static float[][] ort(byte[] model, float[][] inputs) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(model, o)) {
                String in = s.getInputNames().iterator().next();
                long[] shape = ((ai.onnxruntime.TensorInfo) s.getInputInfo().get(in).getInfo()).getShape();
                for (int k = 0; k < shape.length; k++) {
                    if (shape[k] < 0) {
                        shape[k] = 1;
                    }
                }
                float[][] out = new float[inputs.length][];
                for (int r = 0; r < inputs.length; r++) {
                    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs[r]), shape);
                         OrtSession.Result res = s.run(Map.of(in, t))) {
                        OnnxTensor y = (OnnxTensor) res.get(0);
                        FloatBuffer fb = y.getFloatBuffer();
                        float[] v = new float[fb.remaining()];
                        fb.get(v);
                        out[r] = v;
                    }
                }
                return out;
            }
        }
    }

    public static float[][] randomInputs(Random rnd, int n, int width, float scale) {
        float[][] x = new float[n][width];
        for (float[] row : x) {
            for (int i = 0; i < width; i++) {
                row[i] = (rnd.nextFloat() * 2 - 1) * scale;
            }
        }
        return x;
    }

    public static double maxAbsDiff(float[][] a, float[][] b) {
        double m = 0;
        for (int r = 0; r < a.length; r++) {
            if (a[r].length != b[r].length) {
                throw new AssertionError("row " + r + ": " + a[r].length + " vs " + b[r].length + " values");
            }
            for (int i = 0; i < a[r].length; i++) {
                m = Math.max(m, Math.abs((double) a[r][i] - b[r][i]));
            }
        }
        return m;
    }

    public static DenseNetwork randomMlp(Random rnd, int[] widths, Activation hidden) {
        List<DenseLayer> layers = new ArrayList<>();
        for (int l = 0; l + 1 < widths.length; l++) {
            float[][] w = new float[widths[l + 1]][widths[l]];
            float[] b = new float[widths[l + 1]];
            float s = (float) (1.0 / Math.sqrt(widths[l]));
            for (float[] row : w) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) rnd.nextGaussian() * s;
                }
            }
            for (int o = 0; o < b.length; o++) {
                b[o] = (float) rnd.nextGaussian() * 0.1f;
            }
            Activation a = l + 2 == widths.length ? Activation.IDENTITY : hidden;
            layers.add(new DenseLayer("l" + l, w, b, a, 0.05, null, null));
        }
        return new DenseNetwork(layers);
    }
}
