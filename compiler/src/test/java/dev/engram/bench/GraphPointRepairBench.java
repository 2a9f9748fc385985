package dev.engram.bench;

import dev.engram.ir.Robustness;
import dev.engram.lower.points.PointRepair;
import dev.engram.lower.points.Target;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.FloatTensor;
import dev.engram.model.LoadedModel;
import dev.engram.model.Models;
import dev.engram.model.dag.Binary;
import dev.engram.model.dag.Dag;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.verify.Box;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import dev.engram.verify.graph.GraphVerifier;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Benchmark (not a unit test): local repair of VNN-COMP's {@code mnist_relu_9_200} (9 ReLU layers of 200, a ReLU on
 * the outputs, {@code (x − mean) / std} in its graph, inputs in [0, 1]). The compile pipeline reads dense chains and
 * this graph's {@code Div} is not one (left for the dense extractor), so this bench runs the same engine
 * ({@link PointRepair}) on the chain after the normalisation, writes the changed layer's tensors into the ONNX
 * file, and establishes every target on the file read back: points executed in float32 by the graph executor,
 * balls proved by the graph verifier, both through the real graph with its Sub/Div. The MNIST test set is not in
 * {@code ../shared/data}: the clean images are the distinct images of the VNN-COMP {@code eran} and
 * {@code verivital} specifications (each box's centre, clipped sides restored), labels from their unsafe sets; the
 * images to fix are fog-like corruptions of them (as PRDNN and APRNN repair MNIST-C fog images) that the network
 * misclassifies. There is no training set here: the clean images at even positions are the inputs to keep, the
 * drawdown is measured on those at odd positions (held out); with {@code nokeep} nothing is kept (the least L1
 * change alone, as PRDNN and APRNN do) and the drawdown is measured on every clean image.
 * Usage: {@code GraphPointRepairBench [vnncomp2021 dir] [N,..=10] [EPS,..=0] [keep|nokeep]}.
 */
public final class GraphPointRepairBench {
    private static final Pattern BOUND = Pattern.compile("\\(assert \\((<=|>=) X_(\\d+) ([-0-9.eE+]+)\\)\\)");
    private static final Pattern RIVAL = Pattern.compile("\\(>= Y_(\\d+) Y_(\\d+)\\)");

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "../shared/data/vnncomp2021");
        int[] ns = PointRepairBench.ints(args.length > 1 ? args[1] : "10");
        double[] epss = PointRepairBench.doubles(args.length > 2 ? args[2] : "0");
        boolean split = !(args.length > 3 && args[3].equals("nokeep"));
        Path onnx = dir.resolve("eran/nets/mnist_relu_9_200.onnx");
        LoadedModel model = Models.load(onnx);
        float[] norm = normalisation(model.dag());
        DenseNetwork net = chain(model);
        List<float[]> clean = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        images(dir, clean, labels);
        GraphExecutor g0 = new GraphExecutor(model.dag());
        int right = 0;
        for (int k = 0; k < clean.size(); k++) {
            float[] yg = g0.run(clean.get(k));
            float[] yd = net.evaluate(normalise(clean.get(k), norm));
            if (!java.util.Arrays.equals(yg, yd)) {
                System.out.println("note: graph and chain outputs differ at image " + k);
            }
            right += decides(yg, labels.get(k)) ? 1 : 0;
        }
        List<float[]> wrong = new ArrayList<>();
        List<Integer> wrongLabels = new ArrayList<>();
        for (int k = 0; k < clean.size(); k++) {
            float[] fx = fog(clean.get(k), new Random(k));
            if (!decides(g0.run(fx), labels.get(k))) {
                wrong.add(fx);
                wrongLabels.add(labels.get(k));
            }
        }
        System.out.printf(Locale.ROOT, "mnist_relu_9_200: %d clean images, %d right (%.4f); %d fogged images "
                        + "misclassified; normalisation (x - %s) / %s; load %s%n", clean.size(), right,
                right / (double) clean.size(), wrong.size(), norm[0], norm[1], PointRepairBench.load());
        Path tmp = Files.createTempDirectory("graph-points");
        for (int n : ns) {
            for (double eps : epss) {
                run(model, net, norm, clean, labels, wrong.subList(0, Math.min(n, wrong.size())),
                        wrongLabels.subList(0, Math.min(n, wrong.size())), eps, split, tmp);
            }
        }
    }

    private static void run(LoadedModel model, DenseNetwork net, float[] norm, List<float[]> clean,
                            List<Integer> labels, List<float[]> fix, List<Integer> fixLabels, double eps, boolean split,
                            Path tmp) throws Exception {
        GraphExecutor g0 = new GraphExecutor(model.dag());
        List<Target> targets = new ArrayList<>();
        List<Box> pixelBoxes = new ArrayList<>();
        for (int k = 0; k < fix.size(); k++) {
            Box px = ball(fix.get(k), eps);
            pixelBoxes.add(px);
            targets.add(new Target("fix" + k, eps == 0 ? point(normalise(fix.get(k), norm)) : normalise(px, norm),
                    fixLabels.get(k)));
        }
        long cpu0 = PointRepairBench.cpu();
        long t0 = System.nanoTime();
        List<float[]> keep = new ArrayList<>();
        for (int k = 0; split && k < clean.size(); k += 2) {
            keep.add(normalise(clean.get(k), norm));
        }
        PointRepair.Result r = PointRepair.repair(net, targets, keep, PointRepair.Options.defaults());
        double lower = (System.nanoTime() - t0) / 1e9;
        if (!r.ok()) {
            System.out.printf(Locale.ROOT, "N=%d eps=%.3f: not repaired: %s (%.1f s)%n", fix.size(), eps,
                    r.problem(), lower);
            return;
        }
        Map<String, FloatTensor> changed = new LinkedHashMap<>();
        for (int q = 0; q < net.layers().size(); q++) {
            DenseLayer was = net.layers().get(q);
            DenseLayer now = r.network().layers().get(q);
            if (!java.util.Arrays.deepEquals(was.weight(), now.weight())
                    || !java.util.Arrays.equals(was.bias(), now.bias())) {
                changed.put(now.weightRef().tensorName(), FloatTensor.matrix(now.weight()));
                changed.put(now.biasRef().tensorName(), FloatTensor.vector(now.bias()));
            }
        }
        Path file = tmp.resolve("fixed-" + fix.size() + "-" + eps + ".onnx");
        model.withParameters(changed).write(file);
        LoadedModel back = Models.load(file);
        GraphExecutor g = new GraphExecutor(back.dag());
        int proved = 0;
        long t1 = System.nanoTime();
        for (int k = 0; k < fix.size(); k++) {
            if (eps == 0) {
                proved += decides(g.run(fix.get(k)), fixLabels.get(k)) ? 1 : 0;
            } else {
                Verdict v = GraphVerifier.verifyAny(back.dag(), List.of(Robustness.property("fix" + k,
                        pixelBoxes.get(k), fixLabels.get(k), 10)), VerifyOptions.defaults().withTimeout(60));
                proved += v instanceof Verdict.Unsat ? 1 : 0;
            }
        }
        double prove = (System.nanoTime() - t1) / 1e9;
        double cpu = (PointRepairBench.cpu() - cpu0) / 1e9;
        int after = 0;
        int before = 0;
        int tested = 0;
        for (int k = split ? 1 : 0; k < clean.size(); k += split ? 2 : 1) {
            after += decides(g.run(clean.get(k)), labels.get(k)) ? 1 : 0;
            before += decides(g0.run(clean.get(k)), labels.get(k)) ? 1 : 0;
            tested++;
        }
        System.out.printf(Locale.ROOT, "N=%d eps=%.3f: %d/%d %s on the written file; clean accuracy %.4f -> %.4f "
                        + "(%d held-out images), drawdown %.2f %%; lower %.1f s, establish %.1f s, process CPU %.1f s; "
                        + "L1 of the change %.3f in %s; load %s%n", fix.size(), eps, proved, fix.size(),
                eps == 0 ? "executed right" : "proved", before / (double) tested,
                after / (double) tested, tested, 100.0 * (before - after) / tested, lower, prove,
                cpu, r.l1(), r.layer(), PointRepairBench.load());
    }

    /** Strictly the largest output. */
    static boolean decides(float[] y, int label) {
        for (int j = 0; j < y.length; j++) {
            if (j != label && !(y[label] > y[j])) {
                return false;
            }
        }
        return true;
    }

    /** The graph's Sub and Div constants (one each). */
    static float[] normalisation(Dag dag) {
        float mean = 0;
        float std = 1;
        for (Dag.Node n : dag.nodes()) {
            if (n.op() instanceof Binary b && n.op().type().equals("Sub")) {
                mean = b.constant()[0];
            } else if (n.op() instanceof Binary b && n.op().type().equals("Div")) {
                std = b.constant()[0];
            }
        }
        return new float[]{mean, std};
    }

    /** x as the graph computes it before the first Gemm: (x − mean) / std, each step rounded to float32. */
    static float[] normalise(float[] x, float[] norm) {
        float[] v = new float[x.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (x[i] - norm[0]) / norm[1];
        }
        return v;
    }

    /** A pixel box in normalised units, widened by 1e-6 relative for the rounding of Sub and Div. */
    static Box normalise(Box b, float[] norm) {
        double[] lo = new double[b.dimension()];
        double[] hi = new double[b.dimension()];
        for (int i = 0; i < lo.length; i++) {
            lo[i] = (b.lo()[i] - norm[0]) / norm[1];
            hi[i] = (b.hi()[i] - norm[0]) / norm[1];
            lo[i] -= 1e-6 * (1 + Math.abs(lo[i]));
            hi[i] += 1e-6 * (1 + Math.abs(hi[i]));
        }
        return new Box(lo, hi);
    }

    static Box point(float[] x) {
        double[] v = new double[x.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = x[i];
        }
        return new Box(v, v.clone());
    }

    static Box ball(float[] x, double eps) {
        double[] lo = new double[x.length];
        double[] hi = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            lo[i] = Math.max(0, x[i] - eps);
            hi[i] = Math.min(1, x[i] + eps);
        }
        return new Box(lo, hi);
    }

    /** The dense chain after the normalisation: the Gemm weights "2", "4", ..., "18" ([out][in]), ReLU after each. */
    static DenseNetwork chain(LoadedModel m) {
        List<DenseLayer> layers = new ArrayList<>();
        for (int k = 2; m.parameters().containsKey(k + ".weight"); k += 2) {
            FloatTensor w = m.parameters().get(k + ".weight");
            FloatTensor b = m.parameters().get(k + ".bias");
            int rows = (int) w.dims()[0];
            int cols = (int) w.dims()[1];
            float[][] wm = new float[rows][cols];
            for (int o = 0; o < rows; o++) {
                System.arraycopy(w.data(), o * cols, wm[o], 0, cols);
            }
            layers.add(new DenseLayer("Gemm" + k, wm, b.data().clone(), Activation.RELU, 0.01,
                    new DenseLayer.TensorRef(k + ".weight", false), new DenseLayer.TensorRef(k + ".bias", false)));
        }
        return new DenseNetwork(layers);
    }

    /** A fog-like corruption: half the image, half a smooth random haze (three low-frequency waves), in [0, 1]. */
    static float[] fog(float[] x, Random r) {
        double[][] waves = new double[3][4];
        for (double[] w : waves) {
            w[0] = 1 + r.nextInt(3);
            w[1] = 1 + r.nextInt(3);
            w[2] = r.nextDouble() * 2 * Math.PI;
            w[3] = r.nextDouble();
        }
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int row = i / 28;
            int col = i % 28;
            double h = 0;
            double norm = 0;
            for (double[] w : waves) {
                h += w[3] * (0.5 + 0.5 * Math.sin(2 * Math.PI * (w[0] * row + w[1] * col) / 28 + w[2]));
                norm += w[3];
            }
            out[i] = (float) Math.min(1, Math.max(0, 0.5 * x[i] + 0.5 * h / norm));
        }
        return out;
    }

    /** The distinct images of the eran and verivital MNIST specifications, with their labels. */
    static void images(Path dir, List<float[]> x, List<Integer> labels) throws Exception {
        List<Path> specs = new ArrayList<>();
        for (String sub : new String[]{"eran/specs/mnist", "verivital/specs"}) {
            try (Stream<Path> s = Files.walk(dir.resolve(sub))) {
                s.filter(p -> p.toString().endsWith(".vnnlib")).sorted().forEach(specs::add);
            }
        }
        Set<String> seen = new HashSet<>();
        for (Path p : specs) {
            String text = Files.readString(p);
            Matcher e = Pattern.compile("eps_([0-9.]+)\\.vnnlib|_([0-9.]+)\\.vnnlib").matcher(p.getFileName().toString());
            if (!e.find()) {
                continue;
            }
            double eps = Double.parseDouble(e.group(1) != null ? e.group(1) : e.group(2));
            double[] lo = new double[784];
            double[] hi = new double[784];
            Matcher m = BOUND.matcher(text);
            while (m.find()) {
                int i = Integer.parseInt(m.group(2));
                double v = Double.parseDouble(m.group(3));
                if (m.group(1).equals("<=")) {
                    hi[i] = v;
                } else {
                    lo[i] = v;
                }
            }
            Matcher y = RIVAL.matcher(text);
            if (!y.find()) {
                continue;
            }
            float[] img = new float[784];
            StringBuilder key = new StringBuilder();
            for (int i = 0; i < 784; i++) {
                double v = lo[i] <= 0 ? Math.max(0, hi[i] - eps) : hi[i] >= 1 ? Math.min(1, lo[i] + eps)
                        : (lo[i] + hi[i]) / 2;
                img[i] = (float) (Math.round(v * 255) / 255.0);
                key.append((char) Math.round(v * 255));
            }
            if (seen.add(key.toString())) {
                x.add(img);
                labels.add(Integer.parseInt(y.group(2)));
            }
        }
    }
}
