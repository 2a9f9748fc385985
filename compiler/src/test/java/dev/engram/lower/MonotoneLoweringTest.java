package dev.engram.lower;

import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.source.Span;
import dev.engram.validate.ObligationProver;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.Verdict;
import dev.engram.verify.monotone.Monotonicity;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The monotone lowering's two closed forms, each on a network chosen to need it. */
class MonotoneLoweringTest {
    private static final Box BOX = new Box(new double[] {-1, -1}, new double[] {1, 1});
    private static final Lowering.Context CTX = new Lowering.Context(SampleDomain.of(BOX), null, Set.of(), 1,
            dev.engram.verify.bounds.Deadline.after(600));

    private static DenseNetwork net(float[][] w1, float[][] w2) {
        return new DenseNetwork(List.of(
                new DenseLayer("h", w1, new float[w1.length], Activation.RELU, 0, null, null),
                new DenseLayer("y", w2, new float[w2.length], Activation.IDENTITY, 0, null, null)));
    }

    private static Step lower(DenseNetwork net) {
        Monotonicity m = new Monotonicity("y up in x0", InputRegion.of(BOX), new double[] {1}, 0);
        Obligation.Monotone ob = new Obligation.Monotone(m.name(), Span.NONE, m, "x0");
        assertInstanceOf(Verdict.Sat.class, ObligationProver.monotone(net, m, 10).verdict(), "violated before");
        Lowering.Result r = new MonotoneLowering().lower(net, List.of(ob), CTX);
        assertTrue(r.failures().isEmpty(), r.failures().toString());
        Step s = r.steps().get(0);
        ObligationProver.Proof p = ObligationProver.monotone(s.after(), m, 10);
        assertInstanceOf(Verdict.Unsat.class, p.verdict(), p.method());
        assertTrue(p.method().contains("in float32 up to the error bound"), p.method());
        return s;
    }

    @Test
    void theLastLayerWhenTheHiddenDerivativesHaveSigns() {
        // h0 = relu(x0 + x1), h1 = relu(2 x0 - x1): both non-decreasing in x0; y = h0 - 0.5 h1 decreases where h1 is on
        DenseNetwork net = net(new float[][] {{1, 1}, {2, -1}}, new float[][] {{1, -0.5f}});
        lower(net);
        Monotonicity m = new Monotonicity("y up in x0", InputRegion.of(BOX), new double[] {1}, 0);
        MonotoneLowering.Repaired row = MonotoneLowering.lastLayer(net, m, CTX);
        assertEquals("last layer", row.detail().form());
        assertEquals(0, Changes.between(net, row.network()).unitsAdded());
        assertEquals(List.of("y"), Changes.between(net, row.network()).layers(), "only the last layer changes");
        assertTrue(row.network().layers().get(1).weight()[0][1] >= 0, "the wrong-signed weight is no longer negative");
        assertInstanceOf(Verdict.Unsat.class, ObligationProver.monotone(row.network(), m, 10).verdict());
    }

    @Test
    void signConsistentPathsProveItOnEveryActivationPattern() {
        // three layers: the second mixes a rising and a falling unit with both signs, so no last row helps everywhere
        DenseNetwork net = new DenseNetwork(List.of(
                new DenseLayer("h1", new float[][] {{1, 0}, {-1, 0}, {1, 1}}, new float[] {0, 0, 0}, Activation.RELU,
                        0, null, null),
                new DenseLayer("h2", new float[][] {{1, 1, -1}, {-1, 1, 1}}, new float[] {0, 0}, Activation.RELU, 0,
                        null, null),
                new DenseLayer("y", new float[][] {{1, 1}}, new float[] {0}, Activation.IDENTITY, 0, null, null)));
        Step s = lower(net);
        MonotoneLowering.Result r = (MonotoneLowering.Result) s.detail();
        assertEquals(r.form().equals("sign-consistent paths") ? 5 : 0, s.changes().unitsAdded());
        Monotonicity m = new Monotonicity("y up in x0", InputRegion.of(BOX), new double[] {1}, 0);
        DenseNetwork paths = PathSigns.apply(net, 0, m.objective(), CTX, 500);
        assertEquals(10, paths.layers().get(0).outputSize() + paths.layers().get(1).outputSize(),
                "a frozen copy of every hidden unit");
        assertInstanceOf(Verdict.Unsat.class, ObligationProver.monotone(paths, m, 10).verdict());
    }
}
