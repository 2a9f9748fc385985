package dev.engram.compile;

import dev.engram.ir.Decision;

import dev.engram.ir.Obligation;
import dev.engram.lower.GuardLowering;
import dev.engram.lower.repair.OutputLayerRepair;
import dev.engram.lower.repair.RepairOptions;
import dev.engram.lower.InvarianceLowering;
import dev.engram.lower.SteeringLowering;
import dev.engram.model.DenseNetwork;
import dev.engram.model.LoadedModel;
import dev.engram.model.Models;
import dev.engram.patch.Patch;
import dev.engram.patch.Provenance;
import dev.engram.verify.Box;
import dev.engram.verify.Boxes;
import dev.engram.verify.Property;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The compile pipeline, one named stage after another, each returning a value:
 * {@code load → lower (IR → network) → patch (network → model) → validate (prove every obligation on the model as
 * written) → measure fidelity → diff into a patch → write}. The text front half ({@code source → AST → checked
 * program → IR}) is {@link RuleCompiler}; the Java API builds the IR directly and enters here.
 */
public final class Compiler {
    public static final String VERSION = "engram 0.1.0";

    private Compiler() {
    }

    public static CompileResult compile(CompileRequest request) {
        long t0 = System.nanoTime();
        LoadedModel base = Models.load(request.model());
        DenseNetwork original = base.dense();
        SampleDomain domain = domain(request);
        Lowered lowered = lower(original, request, domain);
        LoadedModel patched = base.withDense(lowered.network());
        DenseNetwork written = patched.dense(); // validate what will be written, read back through the codec
        List<RuleReport> reports = validate(written, original, request, lowered, domain);
        Fidelity whole = fidelity(original, written, domain, List.of(), request.fidelitySamples(),
                request.decision(), 1);
        Patch patch = Patch.diff(base, patched, Provenance.of(request.rulesSha256(), VERSION), ruleOfTensor(lowered));
        CompileResult result = new CompileResult(patched, patch, reports, whole, (System.nanoTime() - t0) / 1e9);
        write(request, result);
        return result;
    }

    /** A lowering that cannot be applied: names the obligation (and so its source position). */
    public static final class LoweringException extends RuntimeException {
        private final transient Obligation obligation;

        public LoweringException(Obligation obligation, String message) {
            super(message);
            this.obligation = obligation;
        }

        public Obligation obligation() {
            return obligation;
        }
    }

    /**
     * One obligation's lowering: the network before and after, the guard correction (if any), the time, and for a
     * repair the property its proof was found on (the rule's region split into boxes; null when none).
     */
    record Step(Obligation obligation, DenseNetwork before, DenseNetwork after, double[] correction, double seconds,
                Property proof, Changes changes) {
        Step(Obligation obligation, DenseNetwork before, DenseNetwork after, double[] correction, double seconds,
             Property proof) {
            this(obligation, before, after, correction, seconds, proof, Changes.between(before, after));
        }
    }

    /** The network after every lowering, with one step per obligation in request order. */
    record Lowered(DenseNetwork network, List<Step> steps) {
    }

    /**
     * Lowers in rounds: invariances first (they change the function everywhere), then the rules to repair (jointly:
     * repairing one after another could undo an earlier repair), then the guarded rules (on the invariant network,
     * with guards that leave the ignored slots alone), then steering.
     */
    static Lowered lower(DenseNetwork net, CompileRequest req, SampleDomain domain) {
        List<Obligation> obligations = req.obligations();
        Step[] steps = new Step[obligations.size()];
        Set<Integer> ignored = new TreeSet<>();
        DenseNetwork cur = net;
        for (int round = 0; round < 3; round++) {
            if (round == 1) {
                cur = repairAll(cur, req, domain, steps);
            }
            for (int k = 0; k < obligations.size(); k++) {
                Obligation ob = obligations.get(k);
                int r = ob instanceof Obligation.Invariance ? 0 : ob instanceof Obligation.Steer ? 2 : 1;
                if (r != round || steps[k] != null) {
                    continue;
                }
                long t = System.nanoTime();
                double[] correction = new double[0];
                DenseNetwork next;
                try {
                    if (ob instanceof Obligation.Enforce e && e.strategy() == Obligation.Strategy.GUARD) {
                        GuardLowering.Result g = GuardLowering.lower(cur, e, ignored);
                        next = g.network();
                        correction = g.correction();
                    } else if (ob instanceof Obligation.Invariance inv) {
                        next = InvarianceLowering.lower(cur, inv.slots(), inv.expected()).network();
                    } else if (ob instanceof Obligation.Steer s) {
                        // hidden layers may have grown by guard units since the direction was written: pad with 0
                        int width = s.layer() >= 0 && s.layer() < cur.layers().size()
                                ? cur.layers().get(s.layer()).outputSize() : s.shift().length;
                        double[] shift = java.util.Arrays.copyOf(s.shift(), Math.max(width, s.shift().length));
                        next = SteeringLowering.biasShift(cur, s.layer(), shift, 1.0).network();
                    } else {
                        next = cur; // a property to check: nothing to lower
                    }
                } catch (IllegalArgumentException ex) {
                    String msg = String.valueOf(ex.getMessage());
                    throw new LoweringException(ob, msg.startsWith(ob.name() + ": ")
                            ? msg.substring(ob.name().length() + 2) : msg);
                }
                if (ob instanceof Obligation.Invariance inv) {
                    for (int s : inv.slots()) {
                        ignored.add(s);
                    }
                }
                steps[k] = new Step(ob, cur, next, correction, (System.nanoTime() - t) / 1e9, null);
                cur = next;
            }
        }
        return new Lowered(cur, List.of(steps));
    }

    /** The joint repair of every {@code REPAIR} rule; fills their steps (sharing one change) and returns the network. */
    static DenseNetwork repairAll(DenseNetwork cur, CompileRequest req, SampleDomain domain, Step[] steps) {
        List<Integer> idx = new ArrayList<>();
        List<Property> rules = new ArrayList<>();
        for (int k = 0; k < req.obligations().size(); k++) {
            if (req.obligations().get(k) instanceof Obligation.Enforce e && e.strategy() == Obligation.Strategy.REPAIR) {
                idx.add(k);
                rules.add(e.property());
            }
        }
        if (idx.isEmpty()) {
            return cur;
        }
        long t = System.nanoTime();
        OutputLayerRepair.Result r;
        try {
            r = OutputLayerRepair.repair(cur, rules, RepairOptions.builder().optDomain(domain.box())
                    .optDecision(req.decision()).optSeed(0x5EED).build());
        } catch (IllegalArgumentException ex) {
            throw new LoweringException(req.obligations().get(idx.get(0)), ex.getMessage());
        }
        double secs = (System.nanoTime() - t) / 1e9;
        for (int j = 0; j < idx.size(); j++) {
            Property proof = j < r.validated().size() ? r.validated().get(j) : null;
            steps[idx.get(j)] = new Step(req.obligations().get(idx.get(j)), cur, r.network(), new double[0], secs, proof);
        }
        return r.network();
    }

    /** Translation validation: every obligation established again on the network as written. */
    static List<RuleReport> validate(DenseNetwork written, DenseNetwork original, CompileRequest req, Lowered lowered,
                                     SampleDomain domain) {
        List<Box> excluded = new ArrayList<>();
        for (Obligation o : req.obligations()) {
            if (o instanceof Obligation.Enforce e) {
                excluded.add(e.dilatedBox());
            }
        }
        Fidelity outside = fidelity(original, written, domain, excluded, req.fidelitySamples(), req.decision(), 2);
        List<RuleReport> out = new ArrayList<>();
        for (Step step : lowered.steps()) {
            Obligation ob = step.obligation();
            long t = System.nanoTime();
            Verdict v;
            String method = ObligationVerifier.method(ob);
            if (ob instanceof Obligation.Steer s) {
                v = steered(written, step, s, 0);
            } else if (ob instanceof Obligation.Enforce e && usablePartition(e, step.proof())) {
                // the same verifier on the same set of inputs, given as the repair's exact partition of the region
                v = ObligationVerifier.verify(written, new Obligation.Check(ob.name(), ob.span(), step.proof()), domain,
                        req.verifyTimeoutSeconds());
                method = "branch and bound on the repair's partition of the region (" + step.proof().region().boxes().size()
                        + " boxes, exact cover checked)";
            } else {
                v = ObligationVerifier.verify(written, ob, domain, req.verifyTimeoutSeconds());
            }
            out.add(new RuleReport(ob.name(), ob.span(), ob.kind(), ob.how(), step.changes(),
                    step.correction(), v, method, step.seconds(), seconds(t), outside));
        }
        return out;
    }

    /**
     * True when {@code proof} is the rule itself with its region split into boxes that partition the rule's box
     * exactly: the same unsafe set and input constraints, checked here rather than trusted.
     */
    static boolean usablePartition(Obligation.Enforce e, Property proof) {
        if (proof == null || proof.region().boxes().size() < 2) {
            return false;
        }
        return proof.unsafe().equals(e.property().unsafe())
                && proof.region().constraints().equals(e.property().region().constraints())
                && Boxes.covers(e.box(), proof.region().boxes());
    }

    /** Holds when the written bias of the steered layer is the float32 sum of the previous bias and the shift. */
    static Verdict steered(DenseNetwork written, Step step, Obligation.Steer s, double secs) {
        float[] before = step.before().layers().get(s.layer()).bias();
        float[] after = written.layers().get(s.layer()).bias();
        for (int o = 0; o < s.shift().length; o++) {
            float want = (float) (before[o] + s.shift()[o]);
            if (Float.floatToRawIntBits(after[o]) != Float.floatToRawIntBits(want)) {
                return new Verdict.Unknown("bias " + o + " of layer " + s.layer() + " is " + after[o] + ", not " + want,
                        secs);
            }
        }
        return new Verdict.Unsat(secs);
    }

    /** Which rule each changed tensor comes from (the last obligation that changed it), for the patch provenance. */
    static Map<String, String> ruleOfTensor(Lowered lowered) {
        Map<String, String> m = new java.util.TreeMap<>();
        for (Step s : lowered.steps()) {
            Changes c = s.changes();
            for (int l = 0; l < s.after().layers().size(); l++) {
                var layer = s.after().layers().get(l);
                if (c.layers().contains(layer.name())) {
                    if (layer.weightRef() != null) {
                        m.put(layer.weightRef().tensorName(), s.obligation().name());
                    }
                    if (layer.biasRef() != null) {
                        m.put(layer.biasRef().tensorName(), s.obligation().name());
                    }
                }
            }
        }
        return m;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The sampling domain: the request's, or the rules' regions' bounding box widened by half its size each side. */
    static SampleDomain domain(CompileRequest req) {
        if (req.domain() != null) {
            return req.domain();
        }
        double[] lo = null;
        double[] hi = null;
        for (Obligation o : req.obligations()) {
            dev.engram.verify.Property p = o instanceof Obligation.Enforce e ? e.property()
                    : o instanceof Obligation.Check c ? c.property() : null;
            if (p == null) {
                continue;
            }
            for (Box b : p.region().boxes()) {
                if (lo == null) {
                    lo = b.lo().clone();
                    hi = b.hi().clone();
                }
                for (int i = 0; i < lo.length; i++) {
                    lo[i] = Math.min(lo[i], b.lo()[i]);
                    hi[i] = Math.max(hi[i], b.hi()[i]);
                }
            }
        }
        if (lo == null) {
            throw new IllegalArgumentException("no sampling domain: give one (optDomain) when no obligation has a region");
        }
        for (int i = 0; i < lo.length; i++) {
            double w = hi[i] - lo[i];
            lo[i] -= w / 2;
            hi[i] += w / 2;
        }
        return SampleDomain.of(new Box(lo, hi));
    }

    /**
     * Agreement of the decision and the largest output change on samples of {@code domain} that lie outside every
     * {@code excluded} box (rejection sampling, bounded tries).
     */
    static Fidelity fidelity(DenseNetwork a, DenseNetwork b, SampleDomain domain, List<Box> excluded, int samples,
                             Decision decision, long seed) {
        Random r = new Random(seed);
        int n = 0;
        int same = 0;
        double maxChange = 0;
        for (int tries = 0; n < samples && tries < samples * 50; tries++) {
            float[] x = domain.sample(r);
            boolean skip = false;
            for (Box e : excluded) {
                boolean in = true;
                for (int i = 0; i < x.length && in; i++) {
                    in = x[i] >= e.lo()[i] && x[i] <= e.hi()[i];
                }
                skip |= in;
            }
            if (skip) {
                continue;
            }
            float[] ya = a.evaluate(x);
            float[] yb = b.evaluate(x);
            n++;
            if (decision.of(ya) == decision.of(yb)) {
                same++;
            }
            for (int j = 0; j < ya.length; j++) {
                maxChange = Math.max(maxChange, Math.abs(ya[j] - yb[j]));
            }
        }
        return new Fidelity(n, n == 0 ? 1 : same / (double) n, maxChange);
    }

    /** Writes the report always, the model and the patch only when every obligation was proved (atomic writes). */
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
