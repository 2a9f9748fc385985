package dev.engram.verify;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Strict constraints are read as non-strict; a witness meeting one with equality says so in its verdict. */
class StrictBoundaryTest {
    /** {@code y = x} on one input. */
    private static final DenseNetwork IDENTITY = new DenseNetwork(List.of(new DenseLayer("id", new float[][] {{1f}},
            new float[] {0f}, Activation.IDENTITY, 0, null, null)));

    private static Verdict.Sat sat(Box box, LinearConstraint unsafe) {
        Property p = new Property("strict", InputRegion.of(box), List.of(List.of(unsafe)));
        Verdict v = BranchAndBoundVerifier.create().verify(IDENTITY, p, new VerifyOptions(5, 1, 1));
        return assertInstanceOf(Verdict.Sat.class, v);
    }

    @Test
    @DisplayName("y > 1 on [0, 1]: the only witness, x = 1, is marked on the output's strict boundary")
    void witnessOnAStrictOutputConstraint() {
        LinearConstraint gt = new LinearConstraint(new double[] {-1}, -1, true); // -y <= -1, said as y > 1
        Verdict.Sat s = sat(new Box(new double[] {0}, new double[] {1}), gt);
        assertEquals(1.0, s.output()[0]);
        assertTrue(s.onBoundary());
        assertEquals(List.of(new Verdict.Boundary(false, gt)), s.onStrictBoundary());
    }

    @Test
    @DisplayName("y >= 1 on [0, 1]: the same witness is an ordinary one")
    void witnessOnANonStrictConstraint() {
        Verdict.Sat s = sat(new Box(new double[] {0}, new double[] {1}), new LinearConstraint(new double[] {-1}, -1));
        assertFalse(s.onBoundary());
    }

    @Test
    @DisplayName("y <= 0 on (0, 1]: the witness x = 0 lies on the open face")
    void witnessOnAnOpenBoxFace() {
        Box open = new Box(new double[] {0}, new double[] {1}, new boolean[] {true}, null);
        Verdict.Sat s = sat(open, new LinearConstraint(new double[] {1}, 0));
        assertEquals(0.0, s.input()[0]);
        assertEquals(1, s.onStrictBoundary().size());
        Verdict.Boundary b = s.onStrictBoundary().get(0);
        assertTrue(b.input() && b.constraint().strict());
        assertEquals(-1.0, b.constraint().coefficients()[0]);
        assertEquals(0.0, b.constraint().bound());
    }

    @Test
    @DisplayName("y > 0.5 on [0, 1]: a witness strictly inside is not marked")
    void witnessInsideAStrictConstraint() {
        Verdict.Sat s = sat(new Box(new double[] {0}, new double[] {1}),
                new LinearConstraint(new double[] {-1}, -0.5, true));
        assertTrue(s.output()[0] > 0.5);
        assertFalse(s.onBoundary());
    }
}
