package dev.engram.bench;

import dev.engram.Engram;
import dev.engram.VerifyRequest;
import dev.engram.VerifyResult;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.RuleReport;
import dev.engram.data.Dataset;
import dev.engram.data.Encoding;
import dev.engram.data.TrainTest;
import dev.engram.diag.Diagnostic;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.train.Metrics;
import dev.engram.train.MlpTrainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Benchmark (not a unit test): a monotonicity rule on a tabular model. Trains the 64x32 ReLU MLP on German Credit (or
 * Adult), writes its declarations and one {@code monotone} statement, verifies it on the trained model (a
 * counterexample pair is expected), compiles it, and prints the verdict after, the float32 tolerance, the changes,
 * test accuracy before/after, the share of test decisions changed, and how many test rows break monotonicity along a
 * 64-point scan of the input, before and after (a row breaks it when the objective grows, as the input grows, by more
 * than 1e-6, or its decision moves against the rule's direction).
 * Usage: {@code MonotoneBench [shared/data] [--data german-credit] [--rule "monotone ... in INPUT"] [--epochs N]
 * [--seed S]}.
 */
public final class MonotoneBench {
    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args.length > 0 && !args[0].startsWith("--") ? args[0] : "../shared/data");
        String dataName = arg(args, "--data", "german-credit");
        String rule = arg(args, "--rule", "monotone class_good - class_bad decreasing in credit_amount");
        int epochs = Integer.parseInt(arg(args, "--epochs", "10"));
        long seed = Long.parseLong(arg(args, "--seed", "1"));
        Path tmp = Files.createTempDirectory("monotone-bench");
        long t0 = System.nanoTime();
        TrainTest tt = TrainTest.load(shared.resolve(dataName), Optional.empty(), seed);
        Encoding enc = Encoding.fit(tt.train(), tt.label());
        Dataset train = enc.encode(tt.train());
        Dataset test = enc.encode(tt.test());
        MlpTrainer.Result tr = MlpTrainer.builder().setHidden(64, 32).optEpochs(epochs).optSeed(seed).build()
                .train(train);
        Path model = tmp.resolve("model.onnx");
        OnnxModel.fromDense(tr.network(), "input", "output", false, null).write(model);
        Path rules = tmp.resolve("rules.engram");
        Files.writeString(rules, enc.declarations("model.onnx", List.of("bench")) + rule + "\n");
        System.out.printf(Locale.ROOT, "data: %s; %d inputs; trained 64x32 in %d ms%nrule: %s%n", tt.description(),
                enc.width(), tr.millis(), rule);

        VerifyResult before = Engram.verify(VerifyRequest.builder().setModel(model).optRules(rules).optTimeout(60)
                .build());
        for (VerifyResult.Checked c : before.checked()) {
            System.out.printf(Locale.ROOT, "before: %s in %.3f s; %s%n", c.word(), c.verdict().seconds(), c.method());
        }
        before.diagnostics().stream().map(Diagnostic::message).forEach(m -> System.out.println("  " + m));
        Path out = tmp.resolve("patched.onnx");
        long a = System.nanoTime();
        CompileResult cr = Engram.compile(CompileRequest.builder().optRules(rules).optOut(out).optTimeout(300)
                .build());
        double compileSeconds = (System.nanoTime() - a) / 1e9;
        for (RuleReport rr : cr.rules()) {
            System.out.printf(Locale.ROOT, "after: %s; %s; %d parameters changed (layers %s), max |change| %.3g; "
                            + "lower %.2f s, prove on the written file %.2f s%n", rr.verdict().word(), rr.method(),
                    rr.changes().parametersChanged(), rr.changes().layers(), rr.changes().maxAbsChange(),
                    rr.lowerSeconds(), rr.verifySeconds());
        }
        cr.diagnostics().stream().map(Diagnostic::message).forEach(m -> System.out.println("  " + m));
        if (!cr.proved()) {
            System.out.println("not compiled: " + cr.outcome());
            return;
        }
        DenseNetwork net = Models.load(model).dense();
        DenseNetwork back = Models.load(out).dense();
        dev.engram.verify.monotone.Monotonicity m = cr.ir().obligations().stream()
                .filter(o -> o instanceof dev.engram.ir.Obligation.Monotone)
                .map(o -> ((dev.engram.ir.Obligation.Monotone) o).property()).findFirst().orElseThrow();
        Scan scan = new Scan(m.slot(), m.box().lo()[m.slot()], m.box().hi()[m.slot()], m.objective());
        int[] pb = Metrics.predict(net, test.x());
        int[] pa = Metrics.predict(back, test.x());
        System.out.printf(Locale.ROOT, "compile: %.2f s; test accuracy %.4f -> %.4f (%+.4f); test decisions changed "
                        + "%.2f%%; train accuracy %.4f -> %.4f%n", compileSeconds, Metrics.accuracy(pb, test.y()),
                Metrics.accuracy(pa, test.y()), Metrics.accuracy(pa, test.y()) - Metrics.accuracy(pb, test.y()),
                100 * Metrics.changed(pb, pa), Metrics.accuracy(net, train), Metrics.accuracy(back, train));
        System.out.printf(Locale.ROOT, "test rows breaking it (objective / decision): before %d / %d, after %d / %d "
                        + "of %d%n", scan.objectiveBreaks(net, test), scan.decisionBreaks(net, test),
                scan.objectiveBreaks(back, test), scan.decisionBreaks(back, test), test.rows());
        System.out.printf(Locale.ROOT, "total %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** Scans of one numeric input over its training range, with the other inputs of a row fixed. */
    private record Scan(int slot, double lo, double hi, double[] objective) {
        int objectiveBreaks(DenseNetwork net, Dataset d) {
            int n = 0;
            for (float[] row : d.x()) {
                double[] v = values(net, row);
                double max = Double.NEGATIVE_INFINITY;
                for (double x : v) {
                    if (max - x > 1e-6) {
                        n++;
                        break;
                    }
                    max = Math.max(max, x);
                }
            }
            return n;
        }

        int decisionBreaks(DenseNetwork net, Dataset d) {
            int n = 0;
            for (float[] row : d.x()) {
                double[] v = values(net, row);
                boolean positive = false;
                for (double x : v) {
                    if (positive && x < 0) {
                        n++;
                        break;
                    }
                    positive |= x > 0;
                }
            }
            return n;
        }

        private double[] values(DenseNetwork net, float[] row) {
            float[] x = row.clone();
            double[] v = new double[64];
            for (int k = 0; k < v.length; k++) {
                x[slot] = (float) (lo + (hi - lo) * k / 63);
                float[] y = net.evaluate(x);
                v[k] = 0;
                for (int j = 0; j < y.length; j++) {
                    v[k] += objective[j] * y[j];
                }
            }
            return v;
        }
    }

    private static String arg(String[] args, String name, String def) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return def;
    }
}
