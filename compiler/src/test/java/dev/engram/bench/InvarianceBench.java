package dev.engram.bench;

import dev.engram.check.CheckOptions;
import dev.engram.diag.Diagnosed;
import dev.engram.check.CheckedProgram;
import dev.engram.check.Checker;
import dev.engram.data.Dataset;
import dev.engram.data.Encoding;
import dev.engram.data.TrainTest;
import dev.engram.lower.InvarianceLowering;
import dev.engram.validate.Independence;
import dev.engram.front.ProgramToIr;
import dev.engram.model.DenseNetwork;
import dev.engram.model.LoadedModel;
import dev.engram.model.Models;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.source.SourceFile;
import dev.engram.train.Metrics;
import dev.engram.train.MlpTrainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Benchmark (not a unit test): the full Adult run. Trains on {@code adult.data} (all 32,561 rows), evaluates on
 * {@code adult.test}, then applies {@code ignore sex}, {@code ignore race} and both, each with the expected value
 * from the training data and from the declared domain; proves independence on the written and reloaded ONNX file
 * and prints accuracy before/after, the share of changed decisions and timings.
 * Usage: {@code InvarianceBench [shared/data] [--epochs N] [--seed S]}.
 */
public final class InvarianceBench {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 && !args[0].startsWith("--") ? args[0] : "../shared/data").resolve("adult");
        int epochs = intArg(args, "--epochs", 10);
        long seed = intArg(args, "--seed", 1);
        Path tmp = Files.createTempDirectory("invariance-bench");

        long t0 = System.nanoTime();
        TrainTest tt = TrainTest.load(data, Optional.empty(), seed);
        Encoding enc = Encoding.fit(tt.train(), tt.label());
        Dataset train = enc.encode(tt.train());
        Dataset test = enc.encode(tt.test());
        long tLoad = System.nanoTime();
        MlpTrainer.Result tr = MlpTrainer.builder().setHidden(64, 32).optEpochs(epochs).optSeed(seed).build().train(train);
        Path model = tmp.resolve("adult.onnx");
        OnnxModel.fromDense(tr.network(), "input", "output", false, null).write(model);
        System.out.printf(Locale.ROOT, "data: %s; %d inputs; load+encode %.0f ms%n", tt.description(), enc.width(),
                (tLoad - t0) / 1e6);
        System.out.printf(Locale.ROOT, "train: 64x32 ReLU, %d epochs, %d ms; final loss %.4f%n", epochs, tr.millis(),
                tr.epochLoss().get(tr.epochLoss().size() - 1));

        String text = enc.declarations("adult.onnx", List.of("bench")) + "ignore sex\nignore race\n";
        LoadedModel loaded = Models.load(model);
        DenseNetwork net = loaded.dense();
        Diagnosed<CheckedProgram> cr = Checker.check(new SourceFile("adult.engram", text), new CheckOptions(
                java.util.OptionalInt.of(net.inputSize()), java.util.OptionalInt.of(net.outputSize()), tmp));
        if (cr.hasErrors()) {
            throw new IllegalStateException("declarations do not check: " + cr.diagnostics());
        }
        CheckedProgram p = cr.value().orElseThrow();
        int[] before = Metrics.predict(net, test.x());
        double accBefore = Metrics.accuracy(before, test.y());
        System.out.printf(Locale.ROOT, "accuracy on adult.test before: %.4f (train %.4f)%n", accBefore,
                Metrics.accuracy(net, train));
        System.out.println("rule            expectation  acc after  delta     changed   lower ms  write+reload+prove ms  flip max");
        for (List<String> ignored : List.of(List.of("sex"), List.of("race"), List.of("sex", "race"))) {
            for (boolean fromData : new boolean[] {true, false}) {
                long a = System.nanoTime();
                DenseNetwork cur = net;
                int[] all = new int[0];
                for (String name : ignored) {
                    CheckedProgram.Input in = p.inputs().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
                    InvarianceLowering.Result r = fromData ? InvarianceLowering.lower(cur, ProgramToIr.input(in), train.x())
                            : InvarianceLowering.lower(cur, ProgramToIr.input(in));
                    cur = r.network();
                    int[] s = r.slots();
                    int[] merged = java.util.Arrays.copyOf(all, all.length + s.length);
                    System.arraycopy(s, 0, merged, all.length, s.length);
                    all = merged;
                }
                long b = System.nanoTime();
                Path out = tmp.resolve(String.join("-", ignored) + (fromData ? "-data" : "-domain") + ".onnx");
                loaded.withDense(cur).write(out);
                Independence.Proof proof = Independence.proveFile(out, all);
                long c = System.nanoTime();
                if (!proof.holds()) {
                    throw new IllegalStateException("proof failed: " + proof.violations());
                }
                DenseNetwork back = Models.readDense(out);
                int[] after = Metrics.predict(back, test.x());
                double acc = Metrics.accuracy(after, test.y());
                double flip = 0;
                for (String name : ignored) {
                    CheckedProgram.Input in = p.inputs().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
                    flip = Math.max(flip, Independence.maxFlipChange(back, ProgramToIr.input(in).slots(),
                            java.util.Arrays.copyOf(test.x(), 3000), Independence.alternatives(ProgramToIr.input(in))));
                }
                System.out.printf(Locale.ROOT, "ignore %-9s %-12s %.4f     %+.4f   %6.2f%%   %8.2f  %21.1f  %s%n",
                        String.join("+", ignored), fromData ? "data mean" : "domain 1/k", acc, acc - accBefore,
                        100 * Metrics.changed(before, after), (b - a) / 1e6, (c - b) / 1e6, flip);
            }
        }
        System.out.printf(Locale.ROOT, "total %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private static int intArg(String[] args, String name, int def) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return def;
    }
}
