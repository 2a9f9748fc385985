package dev.engram.lower.repair;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kept property without room on a subdomain is kept fixed (no move toward any constraint of its unsafe
 * conjunction) or, made movable, refuted like a rule through the one constraint chosen for it. On a hidden box shared
 * with a rule that must raise {@code y1 - y0}, fixed rows forbid that (infeasible), while the movable row only asks
 * {@code y0 - y2} to grow, which a change can do together with the rule: the LP finds it, and the change satisfies
 * both rows at every corner of the hidden box (the oracle: the change evaluated there, the rows being linear in h).
 */
class MovableKeptTest {

    @Test
    void aMovableKeptPropertyLeavesRoomWhereAFixedOneConflicts() {
        HiddenBoxFixture f = HiddenBoxFixture.create();
        FidelitySamples fs = f.fs();
        Goals fixed = f.goals();
        // the original's bounds: y1 - y0 at least -1 on the rule's box; y0 - y2 at least 1e-4 on the kept box
        Subdomain r = f.subdomain(0, new Subdomain.Refutation(f.ruleC(), -1, 1));
        Subdomain k = f.subdomain(1, new Subdomain.Refutation(f.keptC2(), 1e-4, 1));
        double clearance = 2e-3;
        try (RepairProgram lp = new RepairProgram(f.target(), fs, fixed, f.opt())) {
            lp.add(r, clearance);
            lp.add(k, clearance);
            assertFalse(lp.solve().found(), "fixed kept rows leave no change that raises y1 - y0");
        }
        Goals movable = fixed.movable(Set.of(1));
        assertTrue(movable.isKept(1) && !movable.isFixed(1) && fixed.isFixed(1));
        try (RepairProgram lp = new RepairProgram(f.target(), fs, movable, f.opt())) {
            lp.add(r, clearance);
            lp.add(k, clearance);
            LinearProgram.Solution x = lp.solve();
            assertTrue(x.found(), x.status().toString());
            ParameterDelta d = lp.delta(x.values());
            double needRule = r.refutations()[0].required(clearance, fs.outScale()) + 1;
            double needKept = k.refutations()[0].required(clearance, fs.outScale()) - 1e-4;
            for (int c = 0; c < 4; c++) {
                double[] dy = HiddenBoxFixture.dyAtCorner(d, c);
                assertTrue(dy[1] - dy[0] >= needRule - 1e-7, "rule row at corner " + c);
                assertTrue(dy[0] - dy[2] >= needKept - 1e-7, "kept row at corner " + c);
            }
        }
    }
}
