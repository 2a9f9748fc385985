package dev.engram.compile;

import dev.engram.diag.Diagnostic;
import dev.engram.front.Front;
import dev.engram.front.FrontEnd;
import dev.engram.ir.Ir;
import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.lower.Lowering;
import dev.engram.lower.Lowerings;
import dev.engram.lower.Step;
import dev.engram.model.DenseNetwork;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.patch.Patch;
import dev.engram.patch.Provenance;
import dev.engram.validate.Fidelity;
import dev.engram.validate.ObligationProver;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The compile pipeline, one named stage after another, each returning a value:
 * <pre>
 *   read      request → Front           (source → AST → checked program → IR; the model loaded once)
 *   lower     IR → network              (the lowering passes, in order)
 *   write     network → model → file    (a temporary file next to the output)
 *   read back file → network            (the normal loader, as any user of the file would)
 *   validate  network → reports         (every obligation proved on the network as read back)
 *   measure   fidelity                  (outside the rules' regions, and on the whole domain)
 *   diff      model → patch
 *   publish   rename the file into place, write the patch (only when everything is proved)
 * </pre>
 * The JSON report is written by the facade ({@code Engram.compile}) from the result.
 * Never throws for a user's mistake: every problem ends in the result's outcome and diagnostics. The request's time
 * limit is one deadline, counted from the start: a lowering that runs past it fails with {@code E063}, so does a
 * proof that runs into it, fidelity is not measured after it, and then nothing is published.
 */
public final class Compiler {
    public static final String VERSION = "engram 0.1.0";

    private Compiler() {
    }

    public static CompileResult compile(CompileRequest req) {
        long t0 = System.nanoTime();
        Deadline deadline = Deadline.after(req.timeoutSeconds());
        Front front = FrontEnd.read(req.frontInput());
        if (!front.ready()) {
            return stopped(front, t0);
        }
        Ir ir = req.units() == null ? front.ir()
                : new Ir(front.ir().obligations(), front.ir().domain(), front.ir().decision(), req.units());
        Optional<String> unusable = unusable(req, front, ir);
        if (unusable.isPresent()) {
            return result(Outcome.UNUSABLE, unusable, front, ir, t0);
        }
        SampleDomain domain = ir.domain() != null ? ir.domain() : around(ir.obligations());
        Lowering.Context ctx = new Lowering.Context(domain, ir.decision(), ignoredSlots(ir), req.seed(), deadline,
                ir.obligations());
        Judge judge;
        try {
            judge = Judge.of(front.model(), ir.obligations());
        } catch (ModelException e) {
            return result(Outcome.UNUSABLE, Optional.of(String.valueOf(e.getMessage())), front, ir, t0);
        }
        Lowerings.Lowered lowered = judge.lower(ir.obligations(), ctx);
        if (!lowered.ok()) {
            List<Diagnostic> ds = new ArrayList<>(front.diagnostics());
            ds.addAll(lowered.failures());
            return new CompileResult(Outcome.NOT_PROVED, Optional.empty(), ds, front.sources(), front.modelPath(), ir,
                    List.of(), null, null, null, null, null, seconds(t0));
        }
        ReadBack written;
        try {
            written = ReadBack.write(judge.written(lowered), req.out());
        } catch (ModelException e) {
            return result(Outcome.UNUSABLE, Optional.of(String.valueOf(e.getMessage())), front, ir, t0);
        }
        try {
            return finish(req, front, ir, ctx, lowered, written, judge, t0);
        } finally {
            written.discard();
        }
    }

    /** Validate, measure, diff and publish, on the model as read back from the written file. */
    private static CompileResult finish(CompileRequest req, Front front, Ir ir, Lowering.Context ctx,
                                        Lowerings.Lowered lowered, ReadBack written, Judge judge, long t0) {
        List<RuleReport> reports = judge.validate(written.model(), lowered, ctx);
        List<Box> excluded = new ArrayList<>();
        for (Step s : lowered.steps()) {
            if (s.obligation() instanceof Obligation.Enforce e) {
                excluded.add(e.dilatedBox());
            }
        }
        Fidelity outside = Fidelity.NOT_MEASURED;
        Fidelity whole = Fidelity.NOT_MEASURED;
        boolean unmeasured = false;
        try {
            outside = judge.fidelity(written.model(), ctx.domain(), excluded, req.fidelitySamples(), ir.decision(),
                    2, ctx.deadline());
            whole = judge.fidelity(written.model(), ctx.domain(), List.of(), req.fidelitySamples(), ir.decision(),
                    1, ctx.deadline());
        } catch (Deadline.Expired e) {
            unmeasured = true; // past the time limit: nothing is published
        }
        boolean timeUp = unmeasured || ctx.deadline().passed();
        boolean proved = !unmeasured && reports.stream().allMatch(RuleReport::proved);
        List<Diagnostic> ds = new ArrayList<>(front.diagnostics());
        ds.addAll(CompileDiagnostics.notProved(reports, ir.units(), timeUp));
        if (unmeasured && !reports.isEmpty() && reports.stream().allMatch(RuleReport::proved)) {
            RuleReport last = reports.get(reports.size() - 1);
            ds.add(Lowering.timeLimit(last.name(), last.span(), "proved and fidelity measured"));
        }
        Patch patch = diff(front.model(), written.model(), front.rulesSha256(), lowered);
        boolean published = false;
        Optional<String> message = Optional.empty();
        if (proved && req.patch() != null && patch == null) {
            message = Optional.of("a lowering inserted a layer (new nodes), and a patch holds tensor edits only: "
                    + "nothing was written; compile without a patch, or with --strategy repair");
        }
        try {
            if (message.isEmpty() && proved && req.out() != null) {
                written.publish(req.out());
                published = true;
            }
            if (message.isEmpty() && proved && req.patch() != null) {
                patch.write(req.patch());
            }
        } catch (ModelException e) {
            message = Optional.of(String.valueOf(e.getMessage()));
        }
        return new CompileResult(message.isPresent() ? Outcome.UNUSABLE
                : proved ? Outcome.OK : Outcome.NOT_PROVED, message, ds, front.sources(), front.modelPath(), ir,
                reports, outside, whole, written.model(), patch,
                new CompileResult.ProofRecord(written.file(), written.model().sha256(), published), seconds(t0));
    }

    /** The patch from the original to the written model; null when the model's structure changed (a new layer). */
    private static Patch diff(LoadedModel base, LoadedModel written, String rulesSha256, Lowerings.Lowered lowered) {
        if (!base.parameters().keySet().containsAll(written.parameters().keySet())) {
            return null;
        }
        return Patch.diff(base, written, Provenance.of(rulesSha256, VERSION), ruleOfTensor(lowered));
    }

    /** Translation validation: each obligation established on the network as read back, by its lowering. */
    static List<RuleReport> validate(DenseNetwork written, Lowerings.Lowered lowered, Lowering.Context ctx) {
        return validate(lowered, (step, ob) -> step.by() != null ? step.by().establish(written, step, ctx)
                : ObligationProver.prove(written, ob, ctx.domain(), ctx.verifyTimeoutSeconds()));
    }

    /** Translation validation with {@code prover}: one report per step, in order. */
    static List<RuleReport> validate(Lowerings.Lowered lowered,
                                     java.util.function.BiFunction<Step, Obligation, ObligationProver.Proof> prover) {
        List<RuleReport> out = new ArrayList<>();
        for (Step step : lowered.steps()) {
            Obligation ob = step.obligation();
            long t = System.nanoTime();
            ObligationProver.Proof p = prover.apply(step, ob);
            out.add(new RuleReport(ob.name(), ob.span(), ob.kind(), ob.how(), step.changes(), step.correction(),
                    p.verdict(), p.method(), step.seconds(), seconds(t), step.choice(), p.measurement()));
        }
        return out;
    }

    /** Problems with the request that only show once the model is known. */
    private static Optional<String> unusable(CompileRequest req, Front front, Ir ir) {
        try {
            if (req.out() != null && Files.exists(req.out()) && front.modelPath().isPresent()
                    && Files.isSameFile(front.modelPath().get(), req.out())) {
                return Optional.of(req.out() + ": refusing to overwrite the input model; choose another output");
            }
        } catch (java.io.IOException e) {
            // cannot compare: the paths differ
        }
        if (ir.domain() == null && around(ir.obligations()) == null) {
            return Optional.of("no sampling domain: give one (optDomain) when no obligation has a region");
        }
        return Optional.empty();
    }

    /** The input slots the model is made independent of: a guard must not read them again. */
    private static Set<Integer> ignoredSlots(Ir ir) {
        Set<Integer> ignored = new TreeSet<>();
        for (Obligation o : ir.obligations()) {
            if (o instanceof Obligation.Invariance inv) {
                for (int s : inv.slots()) {
                    ignored.add(s);
                }
            }
        }
        return ignored;
    }

    /** Which rule each changed tensor comes from (the last obligation that changed it), for the patch provenance. */
    static Map<String, String> ruleOfTensor(Lowerings.Lowered lowered) {
        Map<String, String> m = new TreeMap<>();
        for (Step s : lowered.steps()) {
            for (var layer : s.after().layers()) {
                if (s.changes().layers().contains(layer.name())) {
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

    /** The rules' regions' bounding box widened by half its size each side; null when no obligation has a region. */
    static SampleDomain around(List<Obligation> obligations) {
        double[] lo = null;
        double[] hi = null;
        for (Obligation o : obligations) {
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
            return null;
        }
        for (int i = 0; i < lo.length; i++) {
            double w = hi[i] - lo[i];
            lo[i] -= w / 2;
            hi[i] += w / 2;
        }
        return SampleDomain.of(new Box(lo, hi));
    }

    private static CompileResult stopped(Front front, long t0) {
        Front.Stop stop = front.stop().orElseThrow();
        Outcome o = stop.kind() == Front.Stop.Kind.REJECTED ? Outcome.REJECTED : Outcome.UNUSABLE;
        Optional<String> msg = stop.message().isEmpty() ? Optional.empty() : Optional.of(stop.message());
        return result(o, msg, front, null, t0);
    }

    private static CompileResult result(Outcome o, Optional<String> message, Front front, Ir ir, long t0) {
        return new CompileResult(o, message, front.diagnostics(), front.sources(), front.modelPath(), ir, List.of(),
                null, null, null, null, null, seconds(t0));
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
