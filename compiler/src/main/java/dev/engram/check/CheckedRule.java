package dev.engram.check;

import dev.engram.ast.Statement;
import dev.engram.source.Span;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A checked {@code rule} or {@code property}, lowered for the compiler and the verifier.
 * <ul>
 * <li>{@code premiseReal}/{@code premiseModel}: the premise as a union of {@link PremiseCase}s, clipped to the
 * declared input domain (empty cases dropped), in real units and in model units (after normalisation).</li>
 * <li>{@code consequentReal}/{@code consequentModel}: the consequent in conjunctive normal form over the
 * outputs: every inner list is a clause (a disjunction) and all clauses must hold.</li>
 * </ul>
 * Decision predicates are expanded with ties counted against the rule: for argmin, "X is the decision" is
 * {@code y_X <= y_j} for every other j, and "X is not the decision" is the clause {@code OR_j y_j < y_X};
 * argmax mirrors it. {@code margin} is 0 when not written.
 */
public record CheckedRule(String name, String doc, Span span, boolean verifyOnly,
                          Optional<Statement.Strategy> strategy, double margin,
                          List<PremiseCase> premiseReal, List<PremiseCase> premiseModel,
                          List<List<Linear>> consequentReal, List<List<Linear>> consequentModel) {
    public CheckedRule {
        premiseReal = List.copyOf(premiseReal);
        premiseModel = List.copyOf(premiseModel);
        consequentReal = consequentReal.stream().map(List::copyOf).toList();
        consequentModel = consequentModel.stream().map(List::copyOf).toList();
    }

    /**
     * Verification problems in model units, one per premise case: the input region of the case and the unsafe
     * set = negation of the consequent (a disjunction over clauses of the conjunction of negated literals;
     * strict inequalities relaxed to non-strict). Learned-concept literals are ignored (over-approximation).
     */
    public List<Property> toProperties() {
        List<List<LinearConstraint>> unsafe = new ArrayList<>();
        for (List<Linear> clause : consequentModel) {
            List<LinearConstraint> conj = new ArrayList<>();
            for (Linear l : clause) {
                conj.add(l.negate().toConstraint());
            }
            unsafe.add(conj);
        }
        List<Property> out = new ArrayList<>();
        for (int i = 0; i < premiseModel.size(); i++) {
            PremiseCase c = premiseModel.get(i);
            List<LinearConstraint> cons = c.constraints().stream().map(Linear::toConstraint).toList();
            InputRegion region = new InputRegion(List.of(new Box(c.lo(), c.hi())), cons);
            out.add(new Property(premiseModel.size() == 1 ? name : name + "#" + (i + 1), region, unsafe));
        }
        return out;
    }
}
