package dev.engram.check;

import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.source.Span;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Whether a rule file's input and output declarations fit a model's input and output counts ({@code E014}). Run by
 * the checker when the counts are known up front ({@link CheckOptions}), and by the front end on a checked program
 * once the model the file declares has been loaded, so that a file is checked once and its model loaded once.
 */
public final class ModelFit {
    private ModelFit() {
    }

    /** Every {@code E014} of {@code program} against a model with these counts, in declaration order. */
    public static List<Diagnostic> check(CheckedProgram program, int modelInputs, int modelOutputs) {
        List<Diagnostic> out = new ArrayList<>();
        for (CheckedProgram.Input in : program.inputs()) {
            out.addAll(input(in, OptionalInt.of(modelInputs)));
        }
        for (CheckedProgram.Output o : program.outputs()) {
            out.addAll(output(o.index(), o.span(), OptionalInt.of(modelOutputs)));
        }
        return out;
    }

    static List<Diagnostic> input(CheckedProgram.Input in, OptionalInt modelInputs) {
        long end = (long) in.index() + in.width();
        if (modelInputs.isEmpty() || end <= modelInputs.getAsInt()) {
            return List.of();
        }
        return List.of(Diagnostic.error(DiagnosticCode.E014, in.span(), "input '" + in.name() + "' needs model input "
                + (end - 1) + " but the model has " + modelInputs.getAsInt() + " inputs",
                "indices start at 0 and must be below the model's input count"));
    }

    static List<Diagnostic> output(int index, Span span, OptionalInt modelOutputs) {
        if (modelOutputs.isEmpty() || index < modelOutputs.getAsInt()) {
            return List.of();
        }
        return List.of(Diagnostic.error(DiagnosticCode.E014, span, "output index " + index + " but the model has "
                + modelOutputs.getAsInt() + " outputs", "indices start at 0"));
    }
}
