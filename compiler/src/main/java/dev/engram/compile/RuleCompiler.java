package dev.engram.compile;

import dev.engram.check.CheckOptions;
import dev.engram.check.CheckResult;
import dev.engram.check.Checker;
import dev.engram.diag.Diagnostic;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.source.SourceFile;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The text front half of the pipeline: {@code source → AST → checked program → IR}, ready for
 * {@link Compiler#compile}. The model is the one given, or the rule file's {@code model} declaration resolved
 * against the rule file's folder; its input and output counts take part in the checks.
 */
public final class RuleCompiler {
    private RuleCompiler() {
    }

    /**
     * The IR of a rule file, or the diagnostics that stop it (then {@code translation} is empty).
     *
     * @param model the model the rules apply to (empty when none was given nor declared)
     */
    public record Front(Optional<Path> model, Optional<ProgramToObligations.Translation> translation,
                        List<Diagnostic> diagnostics, String rulesSha256) {
        public Front {
            diagnostics = List.copyOf(diagnostics);
        }

        public boolean ok() {
            return translation.isPresent() && diagnostics.stream().noneMatch(Diagnostic::isError);
        }
    }

    /**
     * Reads {@code source}; {@code baseDir} resolves relative paths written in it; {@code model} overrides the rule
     * file's {@code model} declaration. Throws {@link dev.engram.model.ModelException} when the model cannot be read.
     */
    public static Front front(SourceFile source, Path baseDir, Optional<Path> model, double deltaFraction) {
        String sha = sha256(source.text());
        CheckResult first = Checker.check(source, new CheckOptions(OptionalInt.empty(), OptionalInt.empty(), baseDir));
        if (first.hasErrors() || first.program().isEmpty()) {
            return new Front(model, Optional.empty(), first.diagnostics(), sha);
        }
        Optional<Path> modelPath = model.or(() -> first.program().get().model().map(m -> baseDir.resolve(m).normalize()));
        if (modelPath.isEmpty()) {
            return new Front(modelPath, Optional.empty(), first.diagnostics(), sha);
        }
        DenseNetwork net = Models.load(modelPath.get()).dense();
        CheckResult checked = Checker.check(source, new CheckOptions(OptionalInt.of(net.inputSize()),
                OptionalInt.of(net.outputSize()), baseDir));
        if (checked.hasErrors() || checked.program().isEmpty()) {
            return new Front(modelPath, Optional.empty(), checked.diagnostics(), sha);
        }
        ProgramToObligations.Translation t = ProgramToObligations.translate(checked.program().get(), net.inputSize(),
                net.outputSize(), deltaFraction);
        List<Diagnostic> all = new ArrayList<>(checked.diagnostics());
        all.addAll(t.diagnostics());
        return new Front(modelPath, Optional.of(t), all, sha);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
