package dev.engram.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.engram.model.dag.Dag;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorShapeProto;
import dev.engram.model.onnx.proto.OnnxProto.ValueInfoProto;

import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Benchmark (not a unit test): graph executor throughput against ONNX Runtime on every VNN-COMP 2021 network and
 * ACAS Xu N1,1, on the same random inputs, single-threaded (and 2 threads with {@code -Dbench.threads=2}). ORT runs
 * the file with its batch dimension made symbolic, one {@code [n, ...]} call per repetition (input tensor made once,
 * output read as a flat buffer). Repetitions of the two engines are interleaved so that load from other processes
 * hits both; prints best and median per engine, inputs/s, the time ratio and the max |diff|.
 * Usage: {@code GraphExecutorBench [data folder or ""] [reps] [inputs per conv net]}.
 */
public final class GraphExecutorBench {

    public static void main(String[] args) throws Exception {
        Path data = args.length > 0 && !args[0].isEmpty() ? Path.of(args[0]) : sharedData();
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        int convInputs = args.length > 2 ? Integer.parseInt(args[2]) : 2048;
        int threads = Integer.getInteger("bench.threads", 1);
        List<Path> models = new ArrayList<>();
        try (Stream<Path> s = Files.walk(data.resolve("vnncomp2021"))) {
            s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(models::add);
        }
        models.add(data.resolve("acasxu/onnx/ACASXU_run2a_1_1_batch_2000.onnx"));
        String only = System.getProperty("bench.only", "");
        models.removeIf(p -> !p.toString().contains(only));
        System.out.printf("graph executor vs ONNX Runtime, %d thread(s), %d reps interleaved, %d CPUs, load average"
                        + " %.2f%n", threads, reps, Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf("%-34s %7s %7s %12s %12s %12s %12s %6s %6s %9s%n", "model", "nodes", "inputs",
                "engram best", "engram med", "ORT best", "ORT med", "best", "median", "max|diff|");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (Path p : models) {
            bench(env, data, p, reps, convInputs, threads);
        }
        System.out.printf("load average at the end %.2f%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void bench(OrtEnvironment env, Path data, Path p, int reps, int convInputs, int threads)
            throws Exception {
        OnnxModel m = OnnxModel.read(p);
        Dag dag = m.dag();
        GraphExecutor ex = new GraphExecutor(dag);
        int size = ex.inputSize();
        int n = size <= 16 ? 100_000 : size <= 1024 ? 4 * convInputs : convInputs;
        Random rnd = new Random(1);
        float[] x = new float[n * size];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat();
        }
        String input = dag.inputs().get(0).name();
        int[] dims = dag.inputs().get(0).shape().dims();
        long[] batched = new long[dims.length];
        for (int k = 0; k < dims.length; k++) {
            batched[k] = k == 0 ? n : dims[k];
        }
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            try (OrtSession s = env.createSession(symbolicBatch(m.proto()).toByteArray(), o);
                 OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), batched)) {
                float[] ort = new float[n * ex.outputSize()];
                float[][] ours = new float[1][];
                Interleaved.Times tm = Interleaved.time(3, reps, () -> ortRun(s, input, t, ort),
                        () -> ours[0] = ex.run(x, n, threads));
                double maxDiff = Interleaved.maxAbsDiff(ort, ours[0]);
                System.out.printf("%-34s %7d %7d %12s %12s %12s %12s %6.2f %6.2f %9.2g%n",
                        data.relativize(p).toString().replace("vnncomp2021/", "").replace("/nets", ""),
                        dag.nodes().size(), n, rate(n, tm.bestB()), rate(n, tm.medianB()), rate(n, tm.bestA()),
                        rate(n, tm.medianA()), tm.bestB() / tm.bestA(), tm.medianB() / tm.medianA(), maxDiff);
            }
        }
    }

    /** Inputs per second, compactly. */
    private static String rate(int n, double seconds) {
        double r = n / seconds;
        return r >= 1e6 ? String.format("%.2f M/s", r / 1e6) : String.format("%.1f k/s", r / 1e3);
    }

    /** The model with the first dimension of its inputs and outputs symbolic and no intermediate shapes declared. */
    static ModelProto symbolicBatch(ModelProto m) {
        ModelProto.Builder b = m.toBuilder();
        var g = b.getGraphBuilder();
        g.clearValueInfo();
        for (ValueInfoProto.Builder v : g.getInputBuilderList()) {
            batch(v);
        }
        for (ValueInfoProto.Builder v : g.getOutputBuilderList()) {
            batch(v);
        }
        return b.build();
    }

    private static void batch(ValueInfoProto.Builder v) {
        if (v.getType().getTensorType().getShape().getDimCount() > 0) {
            TensorShapeProto.Dimension.Builder d = v.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                    .getDimBuilder(0);
            d.clearDimValue().setDimParam("N");
        }
    }

    private static void ortRun(OrtSession s, String input, OnnxTensor in, float[] out) throws Exception {
        try (OrtSession.Result res = s.run(Map.of(input, in))) {
            ((OnnxTensor) res.get(0)).getFloatBuffer().get(out);
        }
    }

    private static Path sharedData() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("shared/data/vnncomp2021"))) {
                return p.resolve("shared/data");
            }
        }
        throw new IllegalStateException("shared/data not found above " + Path.of("").toAbsolutePath()
                + "; pass the data folder as the first argument");
    }
}
