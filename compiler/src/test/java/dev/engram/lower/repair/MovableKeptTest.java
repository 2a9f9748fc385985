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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kept property without room on a subdomain is kept fixed (no move toward any constraint of its unsafe
 * conjunction) or, made movable, refuted like a rule through the one constraint chosen for it. On a hidden box shared
 * with a rule that must raise {@code y1 - y0}, fixed rows forbid that (infeasible), while the movable row only asks
 * {@code y0 - y2} to grow, which a change can do together with the rule: the LP finds it, and the change satisfies
 * both rows at every corner of the hidden box (the oracle: the change evaluated there, the rows being linear in h).
 */
class MovableKeptTest {
    private static final double[] H_LO = {0, 0};
    private static final double[] H_HI = {1, 1};

    private static LinearConstraint le(double b, double... a) {
        return new LinearConstraint(a, b);
    }

    @Test
    void aMovableKeptPropertyLeavesRoomWhereAFixedOneConflicts() {
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
        Goals fixed = Goals.of(List.of(rule), List.of(kept));
        // the original's bounds: y1 - y0 at least -1 on the rule's box; y0 - y2 at least 1e-4 on the kept box
        Subdomain r = new Subdomain(0, box.lo(), box.hi(), 0, H_LO, H_HI,
                new Subdomain.Refutation[] {new Subdomain.Refutation(ruleC, -1, 1)}, 0, null, null, null);
        Subdomain k = new Subdomain(1, box.lo(), box.hi(), 0, H_LO, H_HI,
                new Subdomain.Refutation[] {new Subdomain.Refutation(keptC2, 1e-4, 1)}, 0, null, null, null);
        double clearance = 2e-3;
        try (RepairProgram lp = new RepairProgram(target, fs, fixed, opt)) {
            lp.add(r, clearance);
            lp.add(k, clearance);
            assertFalse(lp.solve().found(), "fixed kept rows leave no change that raises y1 - y0");
        }
        Goals movable = fixed.movable(Set.of(1));
        assertTrue(movable.isKept(1) && !movable.isFixed(1) && fixed.isFixed(1));
        try (RepairProgram lp = new RepairProgram(target, fs, movable, opt)) {
            lp.add(r, clearance);
            lp.add(k, clearance);
            LinearProgram.Solution x = lp.solve();
            assertTrue(x.found(), x.status().toString());
            ParameterDelta d = lp.delta(x.values());
            double needRule = r.refutations()[0].required(clearance, fs.outScale()) + 1;
            double needKept = k.refutations()[0].required(clearance, fs.outScale()) - 1e-4;
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
