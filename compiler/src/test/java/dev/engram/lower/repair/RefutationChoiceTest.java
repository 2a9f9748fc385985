package dev.engram.lower.repair;

import org.junit.jupiter.api.Test;

import java.util.List;
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

    @Test
    void anotherRefutingConstraintMakesTheProgramFeasible() {
        HiddenBoxFixture f = HiddenBoxFixture.create();
        FidelitySamples fs = f.fs();
        Goals goals = f.goals().movable(Set.of(1));
        // the original's bounds (given): y1 - y0 >= -1 on the rule's box; y0 - y1 >= 1e-3 and y0 - y2 >= 1e-4 on the
        // kept one, so the search chose y0 > y1
        Subdomain r = f.subdomain(0, new Subdomain.Refutation(f.ruleC(), -1, 1));
        Subdomain.Refutation viaC1 = new Subdomain.Refutation(f.keptC1(), 1e-3, 1);
        Subdomain.Refutation viaC2 = new Subdomain.Refutation(f.keptC2(), 1e-4, 1);
        Subdomain k = f.subdomain(1, viaC1);
        RefutationChoice.Refuter refuter = (s, c) -> c == f.keptC1() ? viaC1 : c == f.keptC2() ? viaC2 : null;
        double clearance = 2e-3;
        List<Subdomain> given = List.of(r, k);
        try (RepairProgram lp = new RepairProgram(f.target(), fs, goals, f.opt())) {
            given.forEach(s -> lp.add(s, clearance));
            assertFalse(lp.solve().found(), "refuting y0 <= y1 forbids raising y1 - y0");
        }
        List<Subdomain> chosen = RefutationChoice.choose(f.target(), fs, goals, f.opt(), given, clearance, refuter);
        assertNotNull(chosen, "a choice changes");
        assertSame(r, chosen.get(0), "rules keep their rows");
        assertSame(f.keptC2(), chosen.get(1).refutations()[0].constraint());
        assertNull(RefutationChoice.choose(f.target(), fs, goals, f.opt(), chosen, clearance, refuter),
                "nothing left to change");
        try (RepairProgram lp = new RepairProgram(f.target(), fs, goals, f.opt())) {
            chosen.forEach(s -> lp.add(s, clearance));
            LinearProgram.Solution x = lp.solve();
            assertTrue(x.found(), x.status().toString());
            ParameterDelta d = lp.delta(x.values());
            double needRule = r.refutations()[0].required(clearance, fs.outScale()) + 1;
            double needKept = viaC2.required(clearance, fs.outScale()) - 1e-4;
            for (int c = 0; c < 4; c++) {
                double[] dy = HiddenBoxFixture.dyAtCorner(d, c);
                assertTrue(dy[1] - dy[0] >= needRule - 1e-7, "rule row at corner " + c);
                assertTrue(dy[0] - dy[2] >= needKept - 1e-7, "kept row at corner " + c);
            }
        }
    }
}
