package dev.engram.cli;

import dev.engram.CheckReport;
import dev.engram.VerifyResult;
import dev.engram.compile.CompileResult;
import dev.engram.compile.RuleReport;
import dev.engram.demo.Demo;
import dev.engram.train.MlpTrainer;
import dev.engram.verify.Verdict;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code engram demo}: trains a loan-approval model on biased synthetic data, shows the rules it breaks, compiles
 * the rules into its weights, proves them on the written file and prints the figures before and after. Maps its
 * options to one {@link Demo.Request}, calls {@link Demo#run} and prints each step as it is done (with a spinner on
 * long steps, on a terminal). Exit 0 when every rule was proved.
 */
@Command(name = "demo", description = "Train a biased loan model, then compile rules into it and prove them "
        + "(no data needed; writes to ./engram-demo).")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "engram-demo",
            description = "where to write the models, the patch, the rules and the report (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--seed", defaultValue = "7", description = "seed of the data and the training (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--rows", defaultValue = "12000", description = "synthetic applications (default ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--epochs", defaultValue = "15", description = "training epochs (default ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--no-progress", description = "no progress display")
    boolean noProgress;

    @Override
    public Integer call() {
        PrintStream o = System.out;
        long t0 = System.nanoTime();
        o.println("engram demo: a loan model that learned the wrong things, fixed in its weights and proved");
        o.println("writing to " + out + "/");
        o.println();
        o.printf(Locale.ROOT, "1. data     %,d synthetic loan applications (seed %d): age, income, amount, sex -> "
                + "approve/reject%n", rows, seed);
        o.println("           The history is biased: men were favoured, applicants under 25 turned down more often,");
        o.println("           and nobody under 18 ever applied.");
        Demo.Result r = Demo.run(new Demo.Request(out, seed, rows, epochs), new Story(o));
        if (!r.compiled().proved()) {
            System.err.println("engram demo: not every rule was proved; nothing was written");
            return r.compiled().outcome().exitCode();
        }
        Demo.Scores b = r.scoresBefore();
        Demo.Scores a = r.scoresAfter();
        o.printf(Locale.ROOT, "7. measure  %-28s %8s %8s%n", "", "before", "after");
        o.printf(Locale.ROOT, "           %-28s %8s %8s%n", "test accuracy (" + r.testRows() + " rows)",
                pct(b.accuracy()), pct(a.accuracy()));
        o.printf(Locale.ROOT, "           %-28s %8s %8s%n", "approved, men", pct(b.menApproved()), pct(a.menApproved()));
        o.printf(Locale.ROOT, "           %-28s %8s %8s%n", "approved, women", pct(b.womenApproved()),
                pct(a.womenApproved()));
        o.printf(Locale.ROOT, "           %-28s %8s %8s%n", "minors approved (2,000)", pct(b.minorsApproved()),
                pct(a.minorsApproved()));
        o.println("           (accuracy is agreement with the biased history: the patched model no longer repeats it)");
        o.println();
        o.printf(Locale.ROOT, "wrote %s/: %s, %s, %s (+ %s); %.1f s%n", out, r.patched().getFileName(),
                r.patch().getFileName(), r.report().getFileName(),
                r.report().getFileName().toString().replace(".html", ".json"), (System.nanoTime() - t0) / 1e9);
        o.println("next: open " + out.resolve("report.html") + ", or edit " + out.resolve("loan.engram")
                + " and run ./engram compile " + out.resolve("loan.engram") + " --out patched.onnx");
        return r.after().outcome().exitCode();
    }

    /** Prints each step as the demo reports it, with a spinner while a long step runs. */
    private final class Story implements Demo.Listener {
        final PrintStream o;

        Story(PrintStream o) {
            this.o = o;
        }

        @Override
        public <T> T during(String step, Supplier<T> work) {
            if (noProgress || System.console() == null) {
                return work.get();
            }
            try (ProgressBar pb = new ProgressBarBuilder().setTaskName(step).setInitialMax(-1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(100).continuousUpdate()
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                    .clearDisplayOnFinish().build()) {
                return work.get();
            }
        }

        @Override
        public void trained(MlpTrainer.Result training, double testAccuracy) {
            o.printf(Locale.ROOT, "2. train    5-16-16-2 ReLU MLP, %d epochs in %.1f s: test accuracy %s -> loan.onnx%n",
                    epochs, training.millis() / 1e3, pct(testAccuracy));
        }

        @Override
        public void checked(CheckReport check) {
            o.printf(Locale.ROOT, "3. check    loan.engram: %d error(s), %d warning(s)%n", check.errors(),
                    check.warnings());
            Render.diagnostics(System.err, check.files().stream().flatMap(f -> f.diagnostics().stream()).toList(),
                    check.files().stream().map(CheckReport.FileReport::source).toList());
        }

        @Override
        public void verified(VerifyResult before) {
            o.println("4. verify   the trained model against the rules (counterexamples in real units):");
            for (VerifyResult.Checked c : before.checked()) {
                o.printf(Locale.ROOT, "     %-9s %-18s %s%n", c.word(), c.name(), witness(c, before));
            }
        }

        @Override
        public void compiled(CompileResult cr) {
            o.println("5. compile  the rules into the weights, each proved on the model as written and read back:");
            for (RuleReport rr : cr.rules()) {
                String change = rr.unitsAdded() > 0 ? String.format(Locale.ROOT, "+%d units, %d parameters added",
                        rr.unitsAdded(), rr.changes().parametersAdded())
                        : rr.changes().parametersChanged() + " parameters changed";
                o.printf(Locale.ROOT, "     %-18s %-10s %-32s %s (%s)%n", rr.name(), rr.strategy(), change,
                        rr.proved() ? "proved" : rr.verdict().word(), rr.method());
            }
            Render.diagnostics(System.err, cr.diagnostics(), cr.sources(), d -> d.isError());
            cr.message().ifPresent(m -> System.err.println("engram demo: " + m));
            if (cr.outside() != null && cr.outside().measured()) {
                o.printf(Locale.ROOT, "     decisions unchanged outside the rules' regions: %s of %,d samples%n",
                        pct(cr.outside().decisionAgreement()), cr.outside().samples());
            }
        }

        @Override
        public void proved(VerifyResult after) {
            o.printf(Locale.ROOT, "6. prove    loan-patched.onnx, read back from disk: %d hold, %d violated%n",
                    after.count(Verdict.Unsat.class), after.count(Verdict.Sat.class));
        }
    }

    /** The counterexample of a violated statement in real units, "" when it holds. */
    static String witness(VerifyResult.Checked c, VerifyResult r) {
        if (!(c.verdict() instanceof Verdict.Sat s)) {
            return "";
        }
        if (c.kind().equals("ignore")) {
            return "the outputs change with sex, e.g. at " + r.units().inputs(s.input());
        }
        return r.units().inputs(s.input()) + " -> " + r.units().outputs(s.output());
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
