package dev.engram.maven;

import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What both goals share: which rule files to take, which model each one is about, the time limit, and
 * how a run ends (skip, fail on warnings). Subclasses handle one rule file at a time.
 */
abstract class EngramMojo extends AbstractMojo {

    /** Skip this goal. */
    @Parameter(property = "engram.skip", defaultValue = "false")
    boolean skip;

    /** Fail the build when a rule file has warnings (e.g. a premise that can never apply). */
    @Parameter(property = "engram.failOnWarning", defaultValue = "false")
    boolean failOnWarning;

    /**
     * The time limit in seconds: for {@code compile}, of each rule file's whole compilation (past it, {@code E063}
     * and nothing written for that file); for {@code verify}, per rule. Either way, it fails the build.
     */
    @Parameter(property = "engram.timeout", defaultValue = "120")
    double timeout;

    /** Where the rule files are. */
    @Parameter(property = "engram.sourceDirectory", defaultValue = "${project.basedir}/src/main/engram")
    File sourceDirectory;

    /** Which files of {@code sourceDirectory} are rule files (Ant-style patterns); default {@code **}{@code /*.engram}. */
    @Parameter
    List<String> includes = new ArrayList<>(List.of("**/*.engram"));

    /** Files of {@code sourceDirectory} to leave out (Ant-style patterns). */
    @Parameter
    List<String> excludes = new ArrayList<>();

    /**
     * The model for every rule file that neither has a {@code ruleSets} entry nor declares one with
     * {@code model "..."} (then relative to the rule file).
     */
    @Parameter(property = "engram.model")
    File model;

    /** Per rule file, the model it is compiled against or verified on (overrides its {@code model} declaration). */
    @Parameter
    List<RuleSet> ruleSets = new ArrayList<>();

    /** The goal's name in log lines. */
    abstract String goal();

    /** Handles one rule file: compiles or verifies it, logs, and records how it ended in {@code tally}. */
    abstract void run(Path rules, String relative, Path model, Tally tally);

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("engram:" + goal() + " skipped (engram.skip)");
            return;
        }
        Path dir = sourceDirectory.toPath();
        List<Path> files;
        try {
            files = RuleFiles.find(dir, includes, excludes);
        } catch (IOException e) {
            throw new MojoExecutionException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            getLog().info("engram:" + goal() + ": no rule files in " + dir);
            return;
        }
        Tally tally = new Tally();
        for (Path f : files) {
            String rel = RuleFiles.relative(dir, f);
            run(f.toAbsolutePath(), rel, modelFor(f, rel), tally);
        }
        tally.finish(goal(), failOnWarning);
    }

    /** The model configured for a rule file, or null when its declaration decides. */
    Path modelFor(Path file, String relative) {
        for (RuleSet rs : ruleSets) {
            if (rs.getRules() == null || rs.getModel() == null) {
                continue;
            }
            String r = rs.getRules().replace('\\', '/');
            if (r.equals(relative) || Path.of(rs.getRules()).toAbsolutePath().equals(file.toAbsolutePath())) {
                return rs.getModel().toPath();
            }
        }
        return model == null ? null : model.toPath();
    }

    /** How the rule files of one run ended. */
    static final class Tally {
        final List<String> failed = new ArrayList<>();
        final List<String> broken = new ArrayList<>();
        int warnings;

        void finish(String goal, boolean failOnWarning) throws MojoExecutionException, MojoFailureException {
            if (!broken.isEmpty()) {
                throw new MojoExecutionException("engram:" + goal + ": cannot use " + String.join("; ", broken));
            }
            if (!failed.isEmpty()) {
                throw new MojoFailureException("engram:" + goal + " failed for " + String.join(", ", failed)
                        + " (see the errors above)");
            }
            if (failOnWarning && warnings > 0) {
                throw new MojoFailureException("engram:" + goal + ": " + warnings + " warning(s) and failOnWarning "
                        + "is set");
            }
        }
    }
}
