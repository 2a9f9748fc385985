package dev.engram.check;

import dev.engram.ast.Statement;
import dev.engram.source.Span;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A rule file that passed the semantic checks, in the form the compiler consumes: the input and output
 * layout with their normalisations, the decision direction, and every statement lowered to slots and
 * linear constraints. Input "slots" are the model's input indices (a categorical input occupies one slot
 * per value, a one-hot block).
 */
public record CheckedProgram(String path, Optional<String> model, int inputWidth, int outputWidth,
                             List<Input> inputs, List<Output> outputs, Optional<Statement.Direction> decide,
                             List<CheckedRule> rules, List<CheckedRule> properties, List<Invariance> invariances,
                             List<Monotonicity> monotonicities, List<LearnedConcept> learnedConcepts,
                             List<Erasure> erasures, List<Steering> steerings, List<VnnlibImport> imports) {

    /**
     * An input. Real inputs: domain {@code [lo, hi]} in real units and {@code model = real * scale + offset}
     * (scale 1, offset 0 when no normalisation). Categorical inputs: {@code values} over slots
     * {@code index .. index + values.size() - 1}, each slot in [0, 1].
     */
    public record Input(String name, int index, int width, boolean categorical, List<String> values,
                        double lo, double hi, String unit, double scale, double offset, Span span) { }

    /** An output with {@code model = real * scale + offset}. */
    public record Output(String name, int index, double scale, double offset, Span span) { }

    /** {@code ignore INPUT}: the outputs must not depend on these slots. */
    public record Invariance(String input, List<Integer> slots, String doc, Span span) { }

    /**
     * {@code monotone OUTPUTS increasing|decreasing in INPUT [over P]}: {@code output} is the expression's text,
     * {@code coefficients} its linear form over the outputs in real units (one per output), {@code region} the
     * premise's cases clipped to the declared domain (the whole domain without {@code over}; empty when no input
     * satisfies it).
     */
    public record Monotonicity(String output, double[] coefficients, boolean increasing, String input, int inputSlot,
                               List<PremiseCase> region, String doc, Span span) {
        public Monotonicity {
            coefficients = coefficients.clone();
            region = List.copyOf(region);
        }
    }

    /** {@code concept NAME from "file" [column "c"] [at layer L]}; {@code file} resolved against the rule file. */
    public record LearnedConcept(String name, String file, Optional<String> column, OptionalInt layer,
                                 String doc, Span span) { }

    /** {@code erase CONCEPT at layer L}. */
    public record Erasure(String concept, int layer, String doc, Span span) { }

    /** {@code steer toward CONCEPT at layer L strength s}. */
    public record Steering(String concept, int layer, double strength, String doc, Span span) { }

    /** {@code import vnnlib "file" as property|rule [NAME]}; {@code file} resolved against the rule file. */
    public record VnnlibImport(String file, boolean asRule, String name, String doc, Span span) { }
}
