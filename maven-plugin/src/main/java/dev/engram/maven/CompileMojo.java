package dev.engram.maven;

import dev.engram.Engram;
import dev.engram.Fingerprint;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Outcome;
import dev.engram.compile.RuleReport;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compiles every rule file of {@code src/main/engram} into its model: writes the patched model and its report where
 * the jar picks them up ({@code target/classes/engram/}), and the patch beside the build
 * ({@code target/engram/}). Every rule is proved on the model as written; the build fails on errors in the rules
 * and on rules that are not proved, with {@code file:line:col: error[E0xx]} lines. A rule file whose inputs (rule
 * text, model, Engram version, options) have not changed since its last successful compilation is skipped.
 *
 * <p>Bound to {@code process-classes}: after resources are copied (a model may be one) and before the jar is
 * packed.
 */
@Mojo(name = "compile", defaultPhase = LifecyclePhase.PROCESS_CLASSES, threadSafe = true)
public class CompileMojo extends EngramMojo {

    /**
     * Where the patched models and their reports go, one per rule file, at the rule file's relative path
     * ({@code credit/loan.engram} gives {@code credit/loan.onnx}, {@code credit/loan.report.html} and
     * {@code .report.json}). The default puts them in the jar.
     */
    @Parameter(property = "engram.outputDirectory", defaultValue = "${project.build.outputDirectory}/engram")
    File outputDirectory;

    /** Where the patches ({@code .epatch}, to revert a patched model bit for bit) and up-to-date records go. */
    @Parameter(property = "engram.patchDirectory", defaultValue = "${project.build.directory}/engram")
    File patchDirectory;

    /** The report written beside each patched model: {@code html} (with the JSON next to it), {@code json} or {@code none}. */
    @Parameter(property = "engram.report", defaultValue = "html")
    String report;

    /** Fidelity samples: how many random inputs compare the patched model with the original. */
    @Parameter(property = "engram.samples", defaultValue = "5000")
    int samples;

    /** Compile even rule files that are up to date. */
    @Parameter(property = "engram.force", defaultValue = "false")
    boolean force;

    @Override
    String goal() {
        return "compile";
    }

    @Override
    void run(Path rules, String relative, Path model, Tally tally) {
        if (!List.of("html", "json", "none").contains(report)) {
            tally.broken.add("report must be html, json or none, not '" + report + "'");
            return;
        }
        CompileRequest.Builder req = CompileRequest.builder().optRules(rules).setModel(model)
                .optTimeout(timeout).optFidelitySamples(samples);
        Fingerprint fp = Engram.fingerprint(req.build());
        String stem = relative.endsWith(".engram") ? relative.substring(0, relative.length() - 7) : relative;
        Path out = outputDirectory.toPath().resolve(stem + extension(fp));
        Path patch = patchDirectory.toPath().resolve(stem + ".epatch");
        Path reportFile = report.equals("none") ? null : outputDirectory.toPath().resolve(stem + ".report." + report);
        Path stamp = patchDirectory.toPath().resolve(stem + ".stamp");
        if (!force && Stamp.upToDate(stamp, fp.sha256())) {
            getLog().info("engram: " + relative + " is up to date (inputs " + fp.sha256().substring(0, 12)
                    + " unchanged): " + out);
            return;
        }
        getLog().info("engram: compiling " + relative + fp.model().map(m -> " into " + m.getFileName()).orElse(""));
        CompileResult r = Engram.compile(req.optOut(out).optPatch(patch).optReport(reportFile).build());
        int warnings = MavenLog.diagnostics(getLog(), r.diagnostics(), r.sources());
        tally.warnings += warnings;
        r.message().ifPresent(m -> getLog().error(rules + ": " + m));
        for (RuleReport rr : r.rules()) {
            getLog().info(String.format(Locale.ROOT, "  %-24s %-8s %-8s +%d units, %d parameters changed  %s (%s)",
                    rr.name(), rr.kind(), rr.strategy(), rr.unitsAdded(), rr.changes().parametersChanged(),
                    rr.proved() ? "proved" : rr.verdict().word(), rr.method()));
        }
        if (r.outcome() == Outcome.UNUSABLE) {
            tally.broken.add(relative + r.message().map(m -> " (" + m + ")").orElse(""));
        } else if (r.outcome() != Outcome.OK) {
            tally.failed.add(relative);
        } else {
            getLog().info("engram: " + relative + ": every rule proved on " + out + String.format(Locale.ROOT,
                    " (%.1f s)", r.seconds()));
            if (!(failOnWarning && warnings > 0)) {
                record(stamp, fp, out, patch, reportFile, tally);
            }
        }
    }

    private void record(Path stamp, Fingerprint fp, Path out, Path patch, Path reportFile, Tally tally) {
        List<Path> outputs = new ArrayList<>(List.of(out, patch));
        if (reportFile != null) {
            outputs.add(reportFile);
            if (report.equals("html")) {
                String name = reportFile.getFileName().toString();
                outputs.add(reportFile.resolveSibling(name.substring(0, name.length() - 5) + ".json"));
            }
        }
        try {
            Stamp.of(fp.sha256(), outputs).write(stamp);
        } catch (IOException e) {
            getLog().warn("engram: cannot record " + stamp + " (the next build compiles again): " + e.getMessage());
        }
    }

    /** The patched model keeps the original's format: {@code .nnet} stays {@code .nnet}, anything else is ONNX. */
    private static String extension(Fingerprint fp) {
        return fp.model().map(m -> m.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".nnet"))
                .orElse(false) ? ".nnet" : ".onnx";
    }
}
