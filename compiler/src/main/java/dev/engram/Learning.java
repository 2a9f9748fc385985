package dev.engram;

import dev.engram.check.CheckOptions;
import dev.engram.diag.Diagnosed;
import dev.engram.check.CheckedProgram;
import dev.engram.check.Checker;
import dev.engram.compile.Outcome;
import dev.engram.diag.Diagnostic;
import dev.engram.dict.ConceptSpec;
import dev.engram.dict.DataLayout;
import dev.engram.dict.Dictionary;
import dev.engram.dict.LayerTaps;
import dev.engram.dict.Learner;
import dev.engram.dict.NcdFile;
import dev.engram.front.ConceptSources;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.Models;
import dev.engram.source.SourceFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code Engram.learn}: load the model once, read and check the rule file declaring the concepts (or take every class
 * of the data's labels), learn the dictionary in one pass over each data file, write the {@code .ncd} file
 * atomically. Never throws for a user's mistake.
 */
final class Learning {
    private Learning() {
    }

    static LearnResult run(LearnRequest req) {
        long t0 = System.nanoTime();
        LoadedModel model;
        LayerTaps taps;
        try {
            model = Models.load(req.model());
            taps = LayerTaps.of(model);
        } catch (ModelException | IllegalArgumentException e) {
            return unusable(String.valueOf(e.getMessage()), List.of(), List.of());
        }
        List<SourceFile> sources = new ArrayList<>();
        CheckedProgram program = null;
        if (req.concepts().isPresent()) {
            Path rules = req.concepts().get();
            SourceFile src;
            try {
                src = SourceFile.read(rules);
            } catch (IOException | RuntimeException e) {
                return unusable("cannot read " + rules + ": " + e.getMessage(), List.of(), List.of());
            }
            sources.add(src);
            Path base = rules.toAbsolutePath().getParent();
            Diagnosed<CheckedProgram> r = Checker.check(src, CheckOptions.builder()
                    .optModelShape(taps.inputSize(), taps.outputSize()).optBaseDir(base).build());
            if (r.hasErrors() || r.value().isEmpty()) {
                return new LearnResult(Outcome.REJECTED, Optional.empty(), r.diagnostics(), sources, null, 0, 0,
                        List.of());
            }
            program = r.value().get();
        } else if (req.data().isEmpty()) {
            return unusable("give --data, or --concepts with concepts that name their data", List.of(), sources);
        }
        List<ConceptSpec> specs = program == null ? ConceptSources.classes(taps.outputSize(), req.data().get())
                : ConceptSources.declared(program, req.data());
        if (specs.isEmpty()) {
            return unusable("no concepts to learn: declare them with concept NAME from \"FILE\" column \"...\"",
                    List.of(), sources);
        }
        DataLayout layout = program == null ? DataLayout.none(taps.inputSize(), taps.outputSize())
                : ConceptSources.layout(program, taps.inputSize(), taps.outputSize());
        Learner.Options o = Learner.Options.builder().optExtraLayers(req.layers()).optSeed(req.seed())
                .optHeldOutFraction(req.heldOut()).optAtoms(req.atoms()).build();
        Learner.Learned learned;
        try {
            learned = Learner.learn(taps, model.sha256(), layout, specs, o);
        } catch (Learner.Failure f) {
            if (program != null && f.concept() != null && f.concept().span() != null
                    && !f.concept().span().equals(dev.engram.source.Span.NONE)) {
                return new LearnResult(Outcome.REJECTED, Optional.empty(), List.of(Diagnostic.error(
                        dev.engram.diag.DiagnosticCode.E062, f.concept().span(), f.getMessage(),
                        "check the examples file and its column")), sources, null, 0, 0, List.of());
            }
            return unusable(f.getMessage(), List.of(), sources);
        } catch (IllegalArgumentException e) {
            return unusable(String.valueOf(e.getMessage()), List.of(), sources);
        }
        try {
            if (req.out().toAbsolutePath().getParent() != null) {
                Files.createDirectories(req.out().toAbsolutePath().getParent());
            }
            NcdFile.write(learned.dictionary(), req.out());
        } catch (IOException | ModelException e) {
            return unusable(req.out() + ": cannot write: " + e.getMessage(), List.of(), sources);
        }
        Dictionary d = learned.dictionary();
        long rows = d.sources().stream().mapToLong(Dictionary.Source::rows).sum();
        List<String> weak = new ArrayList<>();
        for (Dictionary.Concept c : d.concepts()) {
            double best = c.at(c.bestLayer()).map(Dictionary.LayerCode::auc).orElse(Double.NaN);
            if (!(best >= req.minAuc())) {
                weak.add(c.name());
            }
        }
        return new LearnResult(Outcome.OK, Optional.empty(), List.of(), sources, d, rows,
                (System.nanoTime() - t0) / 1e9, weak);
    }

    private static LearnResult unusable(String message, List<Diagnostic> ds, List<SourceFile> sources) {
        return new LearnResult(Outcome.UNUSABLE, Optional.of(message), ds, sources, null, 0, 0, List.of());
    }
}
