package dev.engram.compile;

import dev.engram.ir.Obligation;
import dev.engram.lower.GuardLowering;
import dev.engram.model.DenseNetwork;
import dev.engram.model.LoadedModel;
import dev.engram.model.Models;
import dev.engram.patch.Patch;
import dev.engram.patch.Provenance;
import dev.engram.verify.Box;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The compile pipeline, one named stage after another, each returning a value:
 * {@code load → lower → patch → validate (verify every rule on the patched model) → measure fidelity → write}.
 */
public final class Compiler {
    public static final String VERSION = "engram 0.1.0";

    private Compiler() {
    }

    public static CompileResult compile(CompileRequest request) {
        long t0 = System.nanoTime();
        LoadedModel base = Models.load(request.model());
        DenseNetwork original = base.dense();
        Lowered lowered = lower(original, request.obligations());
        LoadedModel patched = base.withDense(lowered.network);
        DenseNetwork written = patched.dense(); // validate what will be written, read back through the codec
        List<RuleReport> reports = validate(written, original, request, lowered);
        Fidelity whole = fidelity(original, written, domain(request), List.of(), request.fidelitySamples(), 1);
        Patch patch = Patch.diff(base, patched, Provenance.of(request.rulesSha256(), VERSION), Map.of());
        CompileResult result = new CompileResult(patched, patch, reports, whole, (System.nanoTime() - t0) / 1e9);
        write(request, result);
        return result;
    }

    /** The network after every rule's lowering, with per-rule details. */
    record Lowered(DenseNetwork network, List<GuardLowering.Result> steps, List<Double> seconds) {
    }

    static Lowered lower(DenseNetwork net, List<Obligation> obligations) {
        List<GuardLowering.Result> steps = new ArrayList<>();
        List<Double> secs = new ArrayList<>();
        DenseNetwork cur = net;
        for (Obligation ob : obligations) {
            long t = System.nanoTime();
            GuardLowering.Result r = GuardLowering.lower(cur, ob);
            steps.add(r);
            secs.add((System.nanoTime() - t) / 1e9);
            cur = r.network();
        }
        return new Lowered(cur, steps, secs);
    }

    static List<RuleReport> validate(DenseNetwork patched, DenseNetwork original, CompileRequest req, Lowered lowered) {
        List<RuleReport> out = new ArrayList<>();
        Box domain = domain(req);
        for (int k = 0; k < req.obligations().size(); k++) {
            Obligation ob = req.obligations().get(k);
            VerifyOptions opts = VerifyOptions.defaults().withTimeout(req.verifyTimeoutSeconds());
            Verdict v = BranchAndBoundVerifier.create().verify(patched, ob.property(), opts);
            List<Box> excluded = new ArrayList<>();
            for (Obligation o : req.obligations()) {
                excluded.add(dilate(o.property().region().boxes().get(0), o.delta()));
            }
            Fidelity f = fidelity(original, patched, domain, excluded, req.fidelitySamples(), 2 + k);
            GuardLowering.Result step = lowered.steps().get(k);
            out.add(new RuleReport(ob.name(), ob.span(), ob.strategy().name().toLowerCase(java.util.Locale.ROOT),
                    step.unitsAdded(), step.correction(), v, lowered.seconds().get(k), seconds(v), f));
        }
        return out;
    }

    static double seconds(Verdict v) {
        if (v instanceof Verdict.Unsat u) {
            return u.seconds();
        }
        if (v instanceof Verdict.Sat s) {
            return s.seconds();
        }
        if (v instanceof Verdict.Unknown u) {
            return u.seconds();
        }
        return ((Verdict.Timeout) v).seconds();
    }

    /** The sampling domain: the request's, or the rules' regions' bounding box widened by half its size each side. */
    static Box domain(CompileRequest req) {
        if (req.domain() != null) {
            return req.domain();
        }
        Box first = req.obligations().get(0).property().region().boxes().get(0);
        double[] lo = first.lo().clone();
        double[] hi = first.hi().clone();
        for (Obligation o : req.obligations()) {
            for (Box b : o.property().region().boxes()) {
                for (int i = 0; i < lo.length; i++) {
                    lo[i] = Math.min(lo[i], b.lo()[i]);
                    hi[i] = Math.max(hi[i], b.hi()[i]);
                }
            }
        }
        for (int i = 0; i < lo.length; i++) {
            double w = hi[i] - lo[i];
            lo[i] -= w / 2;
            hi[i] += w / 2;
        }
        return new Box(lo, hi);
    }

    static Box dilate(Box b, double[] delta) {
        double[] lo = b.lo().clone();
        double[] hi = b.hi().clone();
        for (int i = 0; i < lo.length; i++) {
            lo[i] -= delta[i];
            hi[i] += delta[i];
        }
        return new Box(lo, hi);
    }

    /**
     * Agreement of the arg-min decision and the largest output change on uniform samples of {@code domain} that
     * lie outside every {@code excluded} box (rejection sampling, bounded tries).
     */
    static Fidelity fidelity(DenseNetwork a, DenseNetwork b, Box domain, List<Box> excluded, int samples, long seed) {
        Random r = new Random(seed);
        int n = 0;
        int same = 0;
        double maxChange = 0;
        int d = domain.dimension();
        for (int tries = 0; n < samples && tries < samples * 50; tries++) {
            float[] x = new float[d];
            double[] xd = new double[d];
            for (int i = 0; i < d; i++) {
                x[i] = (float) (domain.lo()[i] + r.nextDouble() * (domain.hi()[i] - domain.lo()[i]));
                xd[i] = x[i];
            }
            boolean skip = false;
            for (Box e : excluded) {
                boolean in = true;
                for (int i = 0; i < d && in; i++) {
                    in = xd[i] >= e.lo()[i] && xd[i] <= e.hi()[i];
                }
                skip |= in;
            }
            if (skip) {
                continue;
            }
            float[] ya = a.evaluate(x);
            float[] yb = b.evaluate(x);
            n++;
            if (argmin(ya) == argmin(yb)) {
                same++;
            }
            for (int j = 0; j < ya.length; j++) {
                maxChange = Math.max(maxChange, Math.abs(ya[j] - yb[j]));
            }
        }
        return new Fidelity(n, n == 0 ? 1 : same / (double) n, maxChange);
    }

    private static int argmin(float[] y) {
        int k = 0;
        for (int j = 1; j < y.length; j++) {
            if (y[j] < y[k]) {
                k = j;
            }
        }
        return k;
    }

    /** Writes the report always, the model and the patch only when every rule was proved (atomic writes). */
    static void write(CompileRequest req, CompileResult result) {
        if (req.out() != null && result.proved()) {
            result.patched().write(req.out());
        }
        if (req.patch() != null && result.proved()) {
            result.patch().write(req.patch());
        }
        if (req.report() != null) {
            dev.engram.model.io.AtomicFiles.write(req.report(),
                    ReportJson.of(req, result).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
