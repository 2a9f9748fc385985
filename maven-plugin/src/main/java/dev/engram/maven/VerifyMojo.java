package dev.engram.maven;

import dev.engram.Engram;
import dev.engram.VerifyRequest;
import dev.engram.VerifyResult;
import dev.engram.compile.Outcome;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Verifies models already in the build, without changing them: every rule, property and {@code ignore} of each
 * rule file is proved or refuted on its model (configure {@code model} or {@code ruleSets} to point at the model to
 * check, e.g. the patched one in {@code target/classes/engram/}). A violated statement is reported at its source
 * position with a counterexample in real units; it fails the build, or is a warning when
 * {@code failOnViolation} is false. Bound to {@code verify}.
 */
@Mojo(name = "verify", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public class VerifyMojo extends EngramMojo {

    /** Fail the build when a statement is violated or cannot be decided; when false, log a warning instead. */
    @Parameter(property = "engram.failOnViolation", defaultValue = "true")
    boolean failOnViolation;

    @Override
    String goal() {
        return "verify";
    }

    @Override
    void run(Path rules, String relative, Path model, Tally tally) {
        getLog().info("engram: verifying " + relative + (model == null ? "" : " on " + model));
        VerifyResult r = Engram.verify(VerifyRequest.builder().setModel(model).optRules(rules).optTimeout(timeout)
                .build());
        tally.warnings += MavenLog.diagnostics(getLog(), r.diagnostics(), r.sources());
        r.message().ifPresent(m -> getLog().error(rules + ": " + m));
        for (VerifyResult.Checked c : r.checked()) {
            getLog().info(String.format(Locale.ROOT, "  %-9s %-8s %s (%.3f s)", c.word(), c.kind(), c.name(),
                    c.verdict().seconds()));
        }
        if (r.outcome() == Outcome.UNUSABLE) {
            tally.broken.add(relative + r.message().map(m -> " (" + m + ")").orElse(""));
        } else if (r.outcome() == Outcome.REJECTED || r.outcome() != Outcome.OK && failOnViolation) {
            tally.failed.add(relative);
        } else if (r.outcome() != Outcome.OK) {
            getLog().warn("engram: " + relative + ": not every statement holds (failOnViolation is false)");
            tally.warnings++;
        } else {
            getLog().info("engram: " + relative + ": every statement holds on " + r.model().map(Path::toString)
                    .orElse("the model"));
        }
    }
}
