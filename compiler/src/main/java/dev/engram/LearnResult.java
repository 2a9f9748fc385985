package dev.engram;

import dev.engram.compile.Outcome;
import dev.engram.diag.Diagnostic;
import dev.engram.dict.Dictionary;
import dev.engram.source.SourceFile;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of learning a dictionary: how it ended, the diagnostics (with the sources to show them against), a
 * message where no diagnostic fits, the dictionary (null when nothing was learned), the rows streamed and the time.
 * {@code weak} lists the concepts whose best held-out AUC is below the request's {@code --min-auc}: rules over them
 * will not compile.
 */
public record LearnResult(Outcome outcome, Optional<String> message, List<Diagnostic> diagnostics,
                          List<SourceFile> sources, Dictionary dictionary, long rows, double seconds,
                          List<String> weak) {
    public LearnResult {
        diagnostics = List.copyOf(diagnostics);
        sources = List.copyOf(sources);
        weak = List.copyOf(weak);
    }

    /** Rows streamed per second. */
    public double rowsPerSecond() {
        return seconds > 0 ? rows / seconds : Double.NaN;
    }
}
