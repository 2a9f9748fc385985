package dev.engram.ast;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import dev.engram.source.Span;

/**
 * One top-level statement of a rule file: a declaration, a concept, or a rule-like statement.
 * {@code doc} is the text of the doc comments ({@code ///} or {@code /** *}{@code /}) written just before it, "" if none.
 */
public sealed interface Statement extends Node {
    String doc();

    /** {@code model "file"}: the model the rules apply to. */
    record ModelDecl(String path, String doc, Span span) implements Statement { }

    /** {@code input NAME at INDEX in [lo, hi] unit} or {@code input NAME at INDEX one of {a, b}}. */
    record InputDecl(Name name, int index, InputDomain domain, String doc, Span span) implements Statement { }

    /** {@code output NAME at INDEX}. */
    record OutputDecl(Name name, int index, String doc, Span span) implements Statement { }

    /** {@code normalize NAME mean m range r} (model = (real - m) / r) or {@code scale s offset o} (model = real*s + o). */
    record NormalizeDecl(Name target, NormKind kind, double first, double second, String doc, Span span)
            implements Statement { }

    /** {@code decide argmax|argmin}: how the model's decision follows from its outputs. */
    record DecideDecl(Direction direction, String doc, Span span) implements Statement { }

    /** {@code concept NAME := premise}: a named predicate over the inputs. */
    record ConceptDef(Name name, Premise premise, String doc, Span span) implements Statement { }

    /** {@code concept NAME from "file" [column "c"] [at layer L]}: a concept learned from examples. */
    record ConceptFromData(Name name, String file, Optional<String> column, OptionalInt layer, String doc, Span span)
            implements Statement { }

    /** {@code rule NAME: when P then C [using guard|repair] [margin m]}. */
    record RuleStmt(Name name, Premise when, Consequent then, Optional<Strategy> strategy, OptionalDouble margin,
                    String doc, Span span) implements Statement { }

    /** {@code ignore INPUT}: the model must not depend on that input. */
    record IgnoreStmt(Name input, String doc, Span span) implements Statement { }

    /** {@code erase CONCEPT at layer L}. */
    record EraseStmt(Name concept, int layer, String doc, Span span) implements Statement { }

    /** {@code steer toward CONCEPT at layer L strength s}. */
    record SteerStmt(Name concept, int layer, double strength, String doc, Span span) implements Statement { }

    /**
     * {@code monotone OUTPUTS increasing|decreasing in INPUT [over P]}: {@code output} is an expression over the
     * outputs (one output, or a linear form such as {@code good - bad}); {@code over} the region, empty for the
     * whole declared domain.
     */
    record MonotoneStmt(Expr output, boolean increasing, Name input, Optional<Premise> over, String doc, Span span)
            implements Statement { }

    /** {@code property NAME: over P ensure C}: checked by the verifier, never enforced. */
    record PropertyStmt(Name name, Premise over, Consequent ensure, String doc, Span span) implements Statement { }

    /** {@code import vnnlib "file" as property|rule [NAME]}. */
    record ImportVnnlib(String file, boolean asRule, Optional<Name> name, String doc, Span span) implements Statement { }

    /** The two normalisation forms. */
    enum NormKind { MEAN_RANGE, SCALE_OFFSET }

    /** Whether the decision is the output with the largest or the smallest score. */
    enum Direction { ARGMAX, ARGMIN }

    /** How a rule is enforced: a runtime guard, or a weight repair. */
    enum Strategy { GUARD, REPAIR }

    /** Convenience for tests: the statements of one kind. */
    static <T extends Statement> List<T> ofKind(List<Statement> all, Class<T> kind) {
        return all.stream().filter(kind::isInstance).map(kind::cast).toList();
    }
}
