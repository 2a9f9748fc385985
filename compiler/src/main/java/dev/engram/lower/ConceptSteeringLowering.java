package dev.engram.lower;

import dev.engram.diag.Diagnostic;
import dev.engram.dict.ConceptMeasures;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.validate.ObligationProver;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code steer toward C at layer L strength S}: layer L's activations move by {@code S (μ₊ − μ₋)} — strength 1 takes
 * the average concept-negative activation to the average concept-positive one — as a bias delta on the dense layer
 * that reads layer L ({@code b' = b + W (S (μ₊ − μ₋))}), which is exactly adding the vector to the activations. Only
 * that bias changes. Established exactly (the delta is in the written file, as for {@link SteeringLowering}); the
 * dose's effect is measured and reported.
 */
public final class ConceptSteeringLowering implements Lowering {

    @Override
    public String name() {
        return "concept steering";
    }

    @Override
    public boolean accepts(Obligation ob) {
        return ob instanceof Obligation.ConceptSteer;
    }

    @Override
    public Lowering.Result lower(DenseNetwork net, List<Obligation> accepted, Context ctx) {
        DenseNetwork cur = net;
        List<Step> steps = new ArrayList<>();
        List<Diagnostic> failures = new ArrayList<>();
        for (Obligation ob : accepted) {
            Obligation.ConceptSteer s = (Obligation.ConceptSteer) ob;
            String why = ConceptEditLowering.whyNot(cur, s.code(), s.policy());
            if (why == null && !Double.isFinite(s.strength())) {
                why = "strength must be finite";
            }
            if (why != null) {
                failures.add(Lowering.notApplicable(s, why));
                continue;
            }
            long t0 = System.nanoTime();
            SteeringLowering.Result r = SteeringLowering.biasShift(cur, s.code().layer(), shift(cur, s), 1.0);
            steps.add(new Step(s, cur, r.network(), (System.nanoTime() - t0) / 1e9, this, r));
            cur = r.network();
        }
        return failures.isEmpty() ? new Lowering.Result(cur, steps, List.of()) : Lowering.Result.failed(net, failures);
    }

    /** {@code W (S (μ₊ − μ₋))}: the bias delta of the dense layer reading the concept's layer. */
    static double[] shift(DenseNetwork net, Obligation.ConceptSteer s) {
        DenseLayer d = net.layers().get(s.code().layer());
        double[] v = new double[s.code().dim()];
        for (int i = 0; i < v.length; i++) {
            v[i] = s.strength() * (s.code().positiveMean()[i] - s.code().negativeMean()[i]);
        }
        double[] out = new double[d.outputSize()];
        for (int o = 0; o < out.length; o++) {
            double acc = 0;
            for (int i = 0; i < v.length; i++) {
                acc += d.weight()[o][i] * v[i];
            }
            out[o] = acc;
        }
        return out;
    }

    /** Exact: the written bias is the float32 sum; the dose's effect is measured and shown with it. */
    @Override
    public ObligationProver.Proof establish(DenseNetwork written, Step step, Context ctx) {
        Obligation.ConceptSteer s = (Obligation.ConceptSteer) step.obligation();
        Obligation.Steer exact = new Obligation.Steer(s.name(), s.span(), s.code().layer(),
                shift(step.before(), s));
        ObligationProver.Proof p = new SteeringLowering().establish(written, new Step(exact, step.before(),
                step.after(), step.changes(), step.seconds(), step.by(), step.detail()), ctx);
        ConceptMeasures.SteeringFigures f = ConceptMeasures.steering(step.before(), written, s.evidence(),
                ctx.decision());
        return new ObligationProver.Proof(p.verdict(), p.method() + "; measured: " + f.text(), f.measurement());
    }
}
