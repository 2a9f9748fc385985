package dev.engram.front;

import dev.engram.check.CheckedProgram;
import dev.engram.dict.ConceptSpec;
import dev.engram.dict.DataLayout;
import dev.engram.model.LoadedModel;
import dev.engram.source.Span;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the dictionary learns from a checked rule file: its {@code concept C from "FILE"} declarations as
 * {@link ConceptSpec}s, and its input and output declarations as the {@link DataLayout} that encodes tables. Without
 * a rule file, every class of an array file's labels is a concept ({@code label = k}).
 */
public final class ConceptSources {
    private ConceptSources() {
    }

    /** Every learned concept of {@code p}, from {@code data} when given, else from the file its declaration names. */
    public static List<ConceptSpec> declared(CheckedProgram p, Optional<Path> data) {
        List<ConceptSpec> out = new ArrayList<>();
        for (CheckedProgram.LearnedConcept lc : p.learnedConcepts()) {
            out.add(new ConceptSpec(lc.name(), data.orElse(Path.of(lc.file())), lc.column().orElse(null), lc.layer(),
                    lc.span()));
        }
        return out;
    }

    /** One concept per model output: {@code class_k}, the rows of {@code data} labelled {@code k}. */
    public static List<ConceptSpec> classes(LoadedModel model, Path data) {
        return classes(model.dense().outputSize(), data);
    }

    /** One concept per output of a model with {@code outputs} outputs. */
    public static List<ConceptSpec> classes(int outputs, Path data) {
        List<ConceptSpec> out = new ArrayList<>();
        for (int k = 0; k < outputs; k++) {
            out.add(new ConceptSpec("class_" + k, data, "label = " + k, OptionalInt.empty(), Span.NONE));
        }
        return out;
    }

    /** The rule file's declarations as the dictionary reads tables: inputs to slots, outputs by index. */
    public static DataLayout layout(CheckedProgram p, LoadedModel model) {
        return layout(p, model.dense().inputSize(), model.dense().outputSize());
    }

    /** {@link #layout(CheckedProgram, LoadedModel)} for a model of {@code inputs} inputs and {@code outputsCount}
     * outputs. */
    public static DataLayout layout(CheckedProgram p, int inputs, int outputsCount) {
        List<DataLayout.Field> fields = new ArrayList<>();
        for (CheckedProgram.Input in : p.inputs()) {
            fields.add(new DataLayout.Field(in.name(), in.index(), in.categorical() ? in.values() : List.of(),
                    in.scale(), in.offset()));
        }
        List<String> outputs = new ArrayList<>(Collections.nCopies(outputsCount, null));
        for (CheckedProgram.Output o : p.outputs()) {
            if (o.index() < outputs.size()) {
                outputs.set(o.index(), o.name());
            }
        }
        return new DataLayout(inputs, fields, outputs);
    }
}
