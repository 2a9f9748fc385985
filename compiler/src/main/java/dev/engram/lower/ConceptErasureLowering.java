package dev.engram.lower;

import dev.engram.diag.Diagnostic;
import dev.engram.dict.ConceptMeasures;
import dev.engram.dict.Leace;
import dev.engram.dict.LinearAlgebra;
import dev.engram.ir.ConceptPolicy;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.validate.ObligationProver;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code erase C at layer L}: LEACE ({@link Leace}) on layer L's activations, folded into the dense layer that reads
 * them ({@code W' = W − (Wσ)aᵀ}, {@code b' = b + (Wσ)(aᵀμ)}), so the architecture is unchanged and the next layer
 * sees the erased representation. Established by measurement: a fresh logistic probe trained after the edit on what
 * the next layer reads must predict the concept no better than the majority rate plus the policy's allowance, and the
 * task accuracy may drop at most the policy's drawdown. A small MLP probe is reported too (no guarantee covers it).
 */
public final class ConceptErasureLowering implements Lowering {

    @Override
    public String name() {
        return "erasure";
    }

    @Override
    public boolean accepts(Obligation ob) {
        return ob instanceof Obligation.Erase;
    }

    /** What the erasure did: the layer, the erased direction's norm and the largest weight change. */
    public record Erasure(int layer, double sigmaNorm) implements Lowering.Detail {
    }

    @Override
    public Lowering.Result lower(DenseNetwork net, List<Obligation> accepted, Context ctx) {
        DenseNetwork cur = net;
        List<Step> steps = new ArrayList<>();
        List<Diagnostic> failures = new ArrayList<>();
        for (Obligation ob : accepted) {
            Obligation.Erase e = (Obligation.Erase) ob;
            String why = ConceptEditLowering.whyNot(cur, e.code(), null);
            if (why != null) {
                failures.add(Lowering.notApplicable(e, why));
                continue;
            }
            long t0 = System.nanoTime();
            Leace eraser;
            try {
                eraser = Leace.of(e.code(), LinearAlgebra.plain());
            } catch (IllegalArgumentException ex) {
                failures.add(Lowering.notApplicable(e, ex.getMessage()));
                continue;
            }
            DenseNetwork after = fold(cur, e.code().layer(), eraser);
            steps.add(new Step(e, cur, after, (System.nanoTime() - t0) / 1e9, this,
                    new Erasure(e.code().layer(), Math.sqrt(dot(eraser.sigma(), eraser.sigma())))));
            cur = after;
        }
        return failures.isEmpty() ? new Lowering.Result(cur, steps, List.of()) : Lowering.Result.failed(net, failures);
    }

    /** {@code net} with the eraser folded into dense layer {@code layer} (the reader of layer {@code layer}). */
    static DenseNetwork fold(DenseNetwork net, int layer, Leace eraser) {
        DenseLayer d = net.layers().get(layer);
        int m = d.outputSize();
        int n = d.inputSize();
        double[] w = new double[m * n];
        double[] b = new double[m];
        for (int o = 0; o < m; o++) {
            for (int i = 0; i < n; i++) {
                w[o * n + i] = d.weight()[o][i];
            }
            b[o] = d.bias()[o];
        }
        double[] f = eraser.fold(w, b, m, n);
        float[][] fw = new float[m][n];
        float[] fb = new float[m];
        for (int o = 0; o < m; o++) {
            for (int i = 0; i < n; i++) {
                fw[o][i] = (float) f[o * n + i];
            }
            fb[o] = (float) f[m * n + o];
        }
        List<DenseLayer> layers = new ArrayList<>(net.layers());
        layers.set(layer, new DenseLayer(d.name(), fw, fb, d.activation(), d.alpha(), d.weightRef(), d.biasRef()));
        return new DenseNetwork(layers);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Override
    public ObligationProver.Proof establish(DenseNetwork written, Step step, Context ctx) {
        long t0 = System.nanoTime();
        Obligation.Erase e = (Obligation.Erase) step.obligation();
        ConceptMeasures.ErasureFigures f = ConceptMeasures.erasure(step.before(), written, e.code().layer(),
                e.evidence(), ctx.decision(), ctx.seed());
        return ConceptEditLowering.judged(f.measurement(e.policy()), "measured on held-out data, not proved (LEACE "
                + "equalises the class means on the learning data exactly): " + f.text(), t0);
    }
}
