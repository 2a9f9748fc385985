package dev.engram.lower.repair;

import dev.engram.verify.LinearConstraint;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A refuting constraint chosen again ({@link RefutationChoice}) is pinned: when the refinement splits the subdomain,
 * every part refutes the same constraint (not the one its own bounds come closest to refuting), with a lower gap no
 * worse than the parent's, and still sound. The oracle: the network executed at sampled inputs of each part, whose
 * value of {@code a·y - bound} is never below the part's lower gap.
 */
class PinnedRefutationTest {

    @Test
    void thePartsOfAPinnedSubdomainRefuteTheSameConstraint() {
        HiddenBoxFixture f = HiddenBoxFixture.create();
        Goals goals = f.goals();
        SubdomainSearch search = new SubdomainSearch(f.target(), goals, f.opt(), f.fs().outScale());
        Subdomain root = search.analyse(1, f.box().lo(), f.box().hi(), 0, null);
        LinearConstraint closest = root.refutations()[0].constraint();
        LinearConstraint other = closest == f.keptC1() ? f.keptC2() : f.keptC1();
        Subdomain pinned = root.choosing(0, search.refutation(root, other).pin());
        ArrayDeque<Subdomain> work = new ArrayDeque<>(List.of(pinned));
        Random rnd = new Random(3);
        int parts = 0;
        while (!work.isEmpty() && parts < 64) {
            Subdomain s = work.poll();
            for (Subdomain kid : search.split(s)) {
                Subdomain.Refutation r = kid.refutations()[0];
                assertSame(other, r.constraint(), "the part keeps the pinned constraint");
                assertTrue(r.pinned());
                assertTrue(r.lowerGap() >= s.refutations()[0].lowerGap(), "no worse than the parent's bound");
                for (int t = 0; t < 50; t++) {
                    float[] x = {(float) (kid.lo()[0] + rnd.nextDouble() * (kid.hi()[0] - kid.lo()[0]))};
                    float[] y = f.target().net().evaluate(x);
                    double v = -other.bound();
                    for (int j = 0; j < y.length; j++) {
                        v += other.coefficients()[j] * y[j];
                    }
                    assertTrue(v >= r.lowerGap() - 1e-9, "sound lower gap at x = " + x[0]);
                }
                work.add(kid);
                parts++;
            }
        }
        assertEquals(64, parts);
        // an unpinned subdomain's parts choose for themselves (the closest one), as before
        for (Subdomain kid : search.split(root)) {
            assertTrue(!kid.refutations()[0].pinned());
        }
    }
}
