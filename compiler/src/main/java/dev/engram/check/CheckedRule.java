package dev.engram.check;

import dev.engram.ast.Statement;
import dev.engram.source.Span;

import java.util.List;
import java.util.Optional;

/**
 * A checked {@code rule} or {@code property}, in the rule file's real units.
 * <ul>
 * <li>{@code premise}: a union of {@link PremiseCase}s, clipped to the declared input domain (empty cases
 * dropped).</li>
 * <li>{@code consequent}: conjunctive normal form over the outputs: every inner list is a clause (a disjunction) and
 * all clauses must hold, already tightened by {@code margin}.</li>
 * </ul>
 * Decision predicates are expanded with ties counted against the rule: for argmin, "X is the decision" is
 * {@code y_X <= y_j} for every other j, and "X is not the decision" is the clause {@code OR_j y_j < y_X};
 * argmax mirrors it. {@code margin} is 0 when not written. The front end maps both to model units.
 */
public record CheckedRule(String name, String doc, Span span, boolean verifyOnly,
                          Optional<Statement.Strategy> strategy, double margin,
                          List<PremiseCase> premise, List<List<Linear>> consequent) {
    public CheckedRule {
        premise = List.copyOf(premise);
        consequent = consequent.stream().map(List::copyOf).toList();
    }

    /** True when some premise case needs a learned concept (only the model's activations can decide it). */
    public boolean usesLearnedConcept() {
        return premise.stream().anyMatch(c -> !c.learned().isEmpty());
    }
}
