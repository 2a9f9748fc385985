package dev.engram.demo;

import dev.engram.CheckReport;
import dev.engram.Engram;
import dev.engram.VerifyRequest;
import dev.engram.VerifyResult;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.data.Dataset;
import dev.engram.model.DenseNetwork;
import dev.engram.model.io.AtomicFiles;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.train.Metrics;
import dev.engram.train.MlpTrainer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The demo, one named step after another, each through the facade as a user would call it:
 * <pre>
 *   data     synthetic applicants (LoanData)             → train/test split
 *   train    a 5-16-16-2 ReLU MLP (MlpTrainer)           → loan.onnx, and the rule file loan.engram beside it
 *   check    Engram.check                                → diagnostics (none expected)
 *   verify   Engram.verify on the trained model          → the rules it breaks, with counterexamples in real units
 *   compile  Engram.compile (invariance, repair, guard)  → loan-patched.onnx, loan.epatch, report.html (+ .json)
 *   prove    Engram.verify on the file as written        → every rule holds
 *   measure  accuracy, approval rates, minors approved   → before and after
 * </pre>
 */
public final class Demo {
    private Demo() {
    }

    /** What to run: where to write, the data's seed and size, the training epochs. */
    public record Request(Path dir, long seed, int rows, int epochs) {
        public static Request defaults(Path dir) {
            return new Request(dir, 7, 12000, 15);
        }
    }

    /**
     * Follows the demo as it goes: shows a long step while it runs ({@link #during}: a spinner, a bar), and hears
     * each step's value as soon as it is there, so that a front end can print the story as it unfolds.
     */
    public interface Listener {
        /** Runs {@code work}, the step called {@code step}; by default without any display. */
        default <T> T during(String step, Supplier<T> work) {
            return work.get();
        }

        default void trained(MlpTrainer.Result training, double testAccuracy) {
        }

        default void checked(CheckReport check) {
        }

        default void verified(VerifyResult before) {
        }

        default void compiled(CompileResult compiled) {
        }

        default void proved(VerifyResult after) {
        }
    }

    /** A network's figures on the held-out applicants and on a sample of minors. */
    public record Scores(double accuracy, double menApproved, double womenApproved, double minorsApproved) {
    }

    /** Everything the demo did, for printing. */
    public record Result(Path model, Path rules, Path patched, Path patch, Path report, int trainRows, int testRows,
                         MlpTrainer.Result training, CheckReport check, VerifyResult before, CompileResult compiled,
                         VerifyResult after, Scores scoresBefore, Scores scoresAfter) {
        /** True when every rule was compiled and holds on the written model. */
        public boolean ok() {
            return compiled.proved() && after != null && after.outcome() == dev.engram.compile.Outcome.OK;
        }
    }

    /** The rule file the demo writes beside the model. */
    public static String ruleText() {
        try (InputStream in = Demo.class.getResourceAsStream("loan.engram")) {
            if (in == null) {
                throw new IllegalStateException("the demo's rule file is missing from the jar");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the demo's rule file", e);
        }
    }

    /** Runs the demo; files go to {@code req.dir()}. */
    public static Result run(Request req, Listener listener) {
        Path dir = req.dir().toAbsolutePath();
        Path model = dir.resolve("loan.onnx");
        Path rules = dir.resolve("loan.engram");
        Path patched = dir.resolve("loan-patched.onnx");
        Path patch = dir.resolve("loan.epatch");
        Path report = dir.resolve("report.html");

        LoanData data = LoanData.generate(req.rows(), req.seed());
        int split = req.rows() * 5 / 6;
        Dataset train = data.dataset(0, split);
        Dataset test = data.dataset(split, req.rows());
        MlpTrainer.Result trained = listener.during("train", () -> MlpTrainer.builder().setHidden(16, 16)
                .optEpochs(req.epochs()).optLearningRate(0.003).optSeed(req.seed()).build().train(train));
        Scores scoresBefore = scores(trained.network(), data, split, test, req.seed());
        listener.trained(trained, scoresBefore.accuracy());
        OnnxModel.fromDense(trained.network(), "input", "output", true, Map.of(
                "engram.trained_on", "engram demo: " + req.rows() + " synthetic loan applications, seed " + req.seed()))
                .write(model);
        AtomicFiles.write(rules, ruleText().getBytes(java.nio.charset.StandardCharsets.UTF_8));

        CheckReport check = Engram.check(List.of(rules), Optional.of(model));
        listener.checked(check);
        VerifyResult before = listener.during("verify", () -> Engram.verify(VerifyRequest.builder().setModel(model)
                .optRules(rules).optTimeout(30).build()));
        listener.verified(before);
        CompileResult compiled = listener.during("compile", () -> Engram.compile(CompileRequest.builder()
                .optRules(rules).optOut(patched).optPatch(patch).optReport(report).optTimeout(60)
                .optSeed(req.seed()).build()));
        listener.compiled(compiled);
        VerifyResult after = null;
        if (compiled.proved()) {
            after = listener.during("prove", () -> Engram.verify(VerifyRequest.builder().setModel(patched)
                    .optRules(rules).optTimeout(30).build()));
            listener.proved(after);
        }
        Scores scoresAfter = compiled.patched() == null ? null
                : scores(compiled.patched().dense(), data, split, test, req.seed());
        return new Result(model, rules, patched, patch, report, train.rows(), test.rows(), trained, check, before,
                compiled, after, scoresBefore, scoresAfter);
    }

    /** Accuracy on the held-out rows, approval rates by sex there, and the share of 2,000 minors approved. */
    static Scores scores(DenseNetwork net, LoanData data, int split, Dataset test, long seed) {
        int[] decisions = Metrics.predict(net, test.x());
        Random r = new Random(seed + 1);
        int approved = 0;
        int minors = 2000;
        for (int k = 0; k < minors; k++) {
            float[] x = LoanData.encode(16 + 2 * r.nextDouble(), 20000 + 180000 * r.nextDouble(),
                    500 + 9500 * r.nextDouble(), r.nextBoolean());
            approved += Metrics.argmax(net.evaluate(x)) == 0 ? 1 : 0;
        }
        return new Scores(Metrics.accuracy(decisions, test.y()), data.approvalRate(decisions, split, true),
                data.approvalRate(decisions, split, false), (double) approved / minors);
    }
}
