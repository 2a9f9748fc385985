package dev.engram.compile;

import dev.engram.diag.Diagnostic;
import dev.engram.ir.Ir;
import dev.engram.ir.Units;
import dev.engram.model.LoadedModel;
import dev.engram.patch.Patch;
import dev.engram.source.SourceFile;
import dev.engram.validate.Fidelity;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of a compilation, as one value: how it ended, every diagnostic (front end, lowering E062, validation
 * E061) with the sources to show them against, a message where no diagnostic fits, and — once the model was
 * compiled — one report per obligation, fidelity outside the rules' regions and on the whole domain, the patched
 * model (as read back from the file it was written to), its patch and the proof record.
 *
 * @param patched the patched model as validated, null when compilation stopped before
 * @param patch   the patch from the original to the patched model, null likewise, and when a lowering changed the
 *                model's structure (an inserted layer), which a patch of tensor edits cannot express
 * @param proof   which file was read back and proved, null likewise
 */
public record CompileResult(Outcome outcome, Optional<String> message, List<Diagnostic> diagnostics,
                            List<SourceFile> sources, Optional<Path> model, Ir ir, List<RuleReport> rules,
                            Fidelity outside, Fidelity wholeDomain, LoadedModel patched, Patch patch,
                            ProofRecord proof, double seconds) {
    public CompileResult {
        diagnostics = List.copyOf(diagnostics);
        sources = List.copyOf(sources);
        rules = List.copyOf(rules);
    }

    /**
     * Where translation validation happened: the bytes written to {@code validatedFile} (later renamed to the output,
     * when every rule was proved), their SHA-256, read back with the normal loader and proved there.
     */
    public record ProofRecord(Path validatedFile, String sha256, boolean published) {
    }

    /** True when every obligation was proved on the patched model. */
    public boolean proved() {
        return outcome == Outcome.OK;
    }

    /** How model-unit vectors read in the rule file's units. */
    public Units units() {
        return ir == null ? Units.none() : ir.units();
    }

    /** Errors, whatever their stage. */
    public List<Diagnostic> errors() {
        return diagnostics.stream().filter(Diagnostic::isError).toList();
    }
}
