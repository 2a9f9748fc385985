package dev.engram.lower.repair;

import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A movable kept property whose conjunction is refuted through the constraint the original comes closest to
 * refuting ({@code y0 > y1}) conflicts with a rule that must raise {@code y1 - y0} on the same hidden box: the LP is
 * infeasible. The conjunction is refuted as well through {@code y0 > y2}; {@link RefutationChoice} picks that one, the
 * LP then has a solution, and the oracle (the change evaluated at every corner of the hidden box, the rows being
 * linear in h) confirms both the rule's row and the newly chosen kept row hold.
 */
class RefutationChoiceTest {
    private static final double[] H_LO = {0, 0};
    private static final double[] H_HI = {1, 1};

    private static LinearConstraint le(double b, double... a) {
        return new LinearConstraint(a, b);
    }

    @Test
    void anotherRefutingConstraintMakesTheProgramFeasible() {
        DenseNetwork net = DenseNetworks.random(new Random(7), "l", 0.1, 1, 2, 3);
        Box box = new Box(new double[] {0}, new double[] {1});
        // rule: y1 <= y0 is unsafe (y1 must end above y0); kept: y0 is the arg-min (y0 <= y1 and y0 <= y2)
        LinearConstraint ruleC = le(0, -1, 1, 0);
        LinearConstraint keptC1 = le(0, 1, -1, 0);
        LinearConstraint keptC2 = le(0, 1, 0, -1);
        Property rule = new Property("rule", InputRegion.of(box), List.of(List.of(ruleC)));
        Property kept = new Property("kept", InputRegion.of(box), List.of(List.of(keptC1, keptC2)));
        RepairTarget target = RepairTarget.of(net, List.of(rule, kept));
        RepairOptions opt = RepairOptions.builder().optSamples(0).build();
        FidelitySamples fs = FidelitySamples.draw(target, List.of(rule), opt);
        Goals goals = Goals.of(List.of(rule), List.of(kept)).movable(Set.of(1));
        // the original's bounds (given): y1 - y0 >= -1 on the rule's box; y0 - y1 >= 1e-3 and y0 - y2 >= 1e-4 on the
        // kept one, so the search chose y0 > y1
        Subdomain r = new Subdomain(0, box.lo(), box.hi(), 0, H_LO, H_HI,
                new Subdomain.Refutation[] {new Subdomain.Refutation(ruleC, -1, 1)}, 0, null, null, null);
        Subdomain.Refutation viaC1 = new Subdomain.Refutation(keptC1, 1e-3, 1);
        Subdomain.Refutation viaC2 = new Subdomain.Refutation(keptC2, 1e-4, 1);
        Subdomain k = new Subdomain(1, box.lo(), box.hi(), 0, H_LO, H_HI,
                new Subdomain.Refutation[] {viaC1}, 0, null, null, null);
        RefutationChoice.Refuter refuter = (s, c) -> c == keptC1 ? viaC1 : c == keptC2 ? viaC2 : null;
        double clearance = 2e-3;
        List<Subdomain> given = List.of(r, k);
        try (RepairProgram lp = new RepairProgram(target, fs, goals, opt)) {
            given.forEach(s -> lp.add(s, clearance));
            assertFalse(lp.solve().found(), "refuting y0 <= y1 forbids raising y1 - y0");
        }
        List<Subdomain> chosen = RefutationChoice.choose(target, fs, goals, opt, given, clearance, refuter);
        assertNotNull(chosen, "a choice changes");
        assertSame(r, chosen.get(0), "rules keep their rows");
        assertSame(keptC2, chosen.get(1).refutations()[0].constraint());
        assertNull(RefutationChoice.choose(target, fs, goals, opt, chosen, clearance, refuter), "nothing left to change");
        try (RepairProgram lp = new RepairProgram(target, fs, goals, opt)) {
            chosen.forEach(s -> lp.add(s, clearance));
            LinearProgram.Solution x = lp.solve();
            assertTrue(x.found(), x.status().toString());
            ParameterDelta d = lp.delta(x.values());
            double needRule = r.refutations()[0].required(clearance, fs.outScale()) + 1;
            double needKept = viaC2.required(clearance, fs.outScale()) - 1e-4;
            for (int c = 0; c < 4; c++) {
                double[] h = {(c & 1) == 0 ? H_LO[0] : H_HI[0], (c & 2) == 0 ? H_LO[1] : H_HI[1]};
                double[] dy = new double[3];
                for (int j = 0; j < 3; j++) {
                    dy[j] = d.db()[j] + d.dw()[j][0] * h[0] + d.dw()[j][1] * h[1];
                }
                assertTrue(dy[1] - dy[0] >= needRule - 1e-7, "rule row at corner " + c);
                assertTrue(dy[0] - dy[2] >= needKept - 1e-7, "kept row at corner " + c);
            }
        }
    }
}
