package dev.engram;

import dev.engram.api.Rules;
import dev.engram.check.CheckOptions;
import dev.engram.check.Checker;
import dev.engram.compile.CompileDiagnostics;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.compile.Outcome;
import dev.engram.diag.Diagnostic;
import dev.engram.front.Front;
import dev.engram.front.FrontEnd;
import dev.engram.front.SourcePaths;
import dev.engram.front.VnnlibFile;
import dev.engram.ir.ConceptPolicy;
import dev.engram.ir.Obligation;
import dev.engram.lower.Changes;
import dev.engram.lower.Lowering;
import dev.engram.lower.Lowerings;
import dev.engram.lower.Step;
import dev.engram.model.DenseNetwork;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.Models;
import dev.engram.model.io.AtomicFiles;
import dev.engram.patch.Patch;
import dev.engram.report.HtmlReport;
import dev.engram.report.ReportJson;
import dev.engram.source.SourceFile;
import dev.engram.source.Span;
import dev.engram.validate.GraphProver;
import dev.engram.validate.ObligationProver;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Engram's front door: every job a front end (the command line, the Maven plugin, a Java program) asks for, as one
 * call taking one request and returning one value. Never throws for a user's mistake: problems come back as
 * diagnostics and outcomes.
 * <ul>
 *   <li>{@link #check}: parse and check rule and VNN-LIB files;</li>
 *   <li>{@link #compile}: write rules into a model's weights and prove them on the file as written;</li>
 *   <li>{@link #verify}: decide a VNN-LIB property, or every statement of a rule file, on a model as it is;</li>
 *   <li>{@link #apply} / {@link #revert}: a patch forth and back, bit for bit;</li>
 *   <li>{@link #fingerprint}: what a compilation reads, as one hash, so that build tools can skip work.</li>
 *   <li>{@link #learn} / {@link #dictionary}: the neural-code dictionary of a model, learned and read back.</li>
 * </ul>
 */
public final class Engram {
    private Engram() {
    }

    /**
     * Compiles ({@link Compiler} is the pipeline) and writes the report when the request asks for one, whether or
     * not everything was proved: a path ending in {@code .html} gets the HTML report with the JSON report beside it
     * ({@code .json}), any other path the JSON report.
     */
    public static CompileResult compile(CompileRequest request) {
        CompileResult r = Compiler.compile(request);
        if (request.report() != null && !r.rules().isEmpty()) {
            try {
                if (request.report().getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".html")) {
                    HtmlReport.write(request.report(), r);
                } else {
                    ReportJson.write(request.report(), r);
                }
            } catch (ModelException e) {
                return new CompileResult(Outcome.UNUSABLE, Optional.of(String.valueOf(e.getMessage())),
                        r.diagnostics(), r.sources(), r.model(), r.ir(), r.rules(), r.outside(), r.wholeDomain(),
                        r.patched(), r.patch(), r.proof(), r.seconds());
            }
        }
        return r;
    }

    /**
     * The SHA-256 of everything {@code request} reads (Engram version, rule text, model, VNN-LIB files, options),
     * and the model it reads: equal fingerprints mean the compilation would read the same inputs. Never throws.
     */
    public static Fingerprint fingerprint(CompileRequest request) {
        return Fingerprint.of(request);
    }

    /**
     * Checks rule files ({@code *.engram}) and VNN-LIB files; folders are searched for both. With a model, input
     * and output indices are checked against its sizes.
     */
    public static CheckReport check(List<Path> paths, Optional<Path> model) {
        OptionalInt ins = OptionalInt.empty();
        OptionalInt outs = OptionalInt.empty();
        if (model.isPresent()) {
            try {
                LoadedModel m = Models.load(model.get());
                ins = OptionalInt.of(dev.engram.dict.EditableModel.inputSize(m));
                outs = OptionalInt.of(dev.engram.dict.EditableModel.outputSize(m));
            } catch (ModelException | IllegalArgumentException e) {
                return new CheckReport(List.of(), List.of(), Optional.of("cannot read model " + model.get() + ": "
                        + e.getMessage()));
            }
        }
        List<Path> files;
        try {
            files = SourcePaths.expand(paths, true);
        } catch (IOException e) {
            return new CheckReport(List.of(), List.of(), Optional.of(String.valueOf(e.getMessage())));
        }
        List<CheckReport.FileReport> reports = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (Path p : files) {
            SourceFile src;
            try {
                src = SourceFile.read(p);
            } catch (IOException | RuntimeException e) {
                unreadable.add("cannot read " + p + ": " + e.getMessage());
                continue;
            }
            List<Diagnostic> ds = p.toString().endsWith(".vnnlib") ? VnnlibFile.of(src, -1, -1).diagnostics()
                    : Checker.check(src, CheckOptions.builder().optModelShape(ins, outs)
                            .optBaseDir(p.toAbsolutePath().getParent()).build()).diagnostics();
            reports.add(new CheckReport.FileReport(src, ds));
        }
        return new CheckReport(reports, unreadable, Optional.empty());
    }

    /** Verifies a VNN-LIB property, or every statement of a rule file, on a model as it is. */
    public static VerifyResult verify(VerifyRequest req) {
        if (req.vnnlib().isPresent() == req.rules().isPresent()) {
            return unusable("give exactly one of a VNN-LIB property and a rule file", List.of(), List.of());
        }
        return req.vnnlib().isPresent() ? verifyVnnlib(req) : verifyRules(req);
    }

    private static VerifyResult verifyVnnlib(VerifyRequest req) {
        Path vnnlib = req.vnnlib().orElseThrow();
        DenseNetwork net = null;
        dev.engram.model.dag.Dag dag = null;
        try {
            LoadedModel model = Models.load(req.model());
            try {
                net = model.dense();
            } catch (ModelException | IllegalArgumentException notDense) {
                dag = model.dag(); // not a dense chain: the graph verifier
            }
        } catch (ModelException | IllegalArgumentException e) {
            return unusable(String.valueOf(e.getMessage()), List.of(), List.of());
        }
        int ins = net != null ? net.inputSize() : dag.shape(0).size();
        int outs = net != null ? net.outputSize() : dag.shape(dag.outputs().get(0).value()).size();
        VnnlibFile spec = VnnlibFile.read(vnnlib, ins, outs);
        if (spec.unreadable() != null) {
            return unusable("cannot read " + spec.unreadable(), List.of(), List.of());
        }
        if (!spec.ok()) {
            return unusable("", spec.diagnostics(), List.of(spec.source()));
        }
        VerifyOptions.Builder ob = VerifyOptions.builder().optTimeoutSeconds(req.timeoutSeconds());
        req.threads().ifPresent(ob::optThreads);
        VerifyOptions options = ob.build();
        Verdict v = net != null ? BranchAndBoundVerifier.create().verifyAny(net, spec.properties(), options)
                : dev.engram.verify.graph.GraphVerifier.verifyAny(dag, spec.properties(), options);
        if (req.result() != null) {
            AtomicFiles.write(req.result(), VnncompResult.text(v).getBytes(StandardCharsets.UTF_8));
        }
        VerifyResult.Checked c = new VerifyResult.Checked(vnnlib.getFileName().toString(), "vnnlib",
                Span.of(vnnlib.toString(), 1, 1, 1, 1), v);
        Outcome o = v instanceof Verdict.Sat || v instanceof Verdict.Unsat ? Outcome.OK : Outcome.UNDECIDED;
        return new VerifyResult(o, Optional.empty(), spec.diagnostics(), List.of(spec.source()),
                Optional.of(req.model()), List.of(c), 0, dev.engram.ir.Units.none());
    }

    private static VerifyResult verifyRules(VerifyRequest req) {
        ConceptPolicy concepts = req.dictionary().map(d -> ConceptPolicy.builder().optDictionary(d)
                .optMinEfficacy(req.minEfficacy()).build()).orElse(null);
        return verifyRules(FrontEnd.Input.toVerify(req.rules().orElseThrow(), Optional.ofNullable(req.model()),
                concepts), req.timeoutSeconds());
    }

    private static VerifyResult verifyRules(FrontEnd.Input input, double timeoutSeconds) {
        Front front = FrontEnd.read(input);
        if (!front.ready()) {
            Front.Stop stop = front.stop().orElseThrow();
            return new VerifyResult(stop.kind() == Front.Stop.Kind.REJECTED ? Outcome.REJECTED : Outcome.UNUSABLE,
                    stop.message().isEmpty() ? Optional.empty() : Optional.of(stop.message()), front.diagnostics(),
                    front.sources(), front.modelPath(), List.of(), 0, dev.engram.ir.Units.none());
        }
        AsIs asIs;
        try {
            asIs = AsIs.of(front.model());
        } catch (ModelException | IllegalArgumentException e) {
            return new VerifyResult(Outcome.UNUSABLE, Optional.of(String.valueOf(e.getMessage())),
                    front.diagnostics(), front.sources(), front.modelPath(), List.of(), 0, dev.engram.ir.Units.none());
        }
        List<Diagnostic> ds = new ArrayList<>(front.diagnostics());
        List<VerifyResult.Checked> checked = new ArrayList<>();
        String modelName = front.modelPath().map(p -> p.getFileName().toString()).orElse("the model");
        int notChecked = (int) front.diagnostics().stream()
                .filter(d -> d.code() == dev.engram.diag.DiagnosticCode.E060).count();
        for (Obligation ob : front.ir().obligations()) {
            if (ob instanceof Obligation.Steer) {
                continue;
            }
            if (ob instanceof Obligation.ConceptSteer) {
                ds.add(new Diagnostic(dev.engram.diag.DiagnosticCode.E060, dev.engram.diag.Severity.NOTE, ob.span(),
                        "not verified: '" + ob.name() + "' is a change to the weights, made and measured by engram "
                        + "compile", "compile it"));
                notChecked++;
                continue;
            }
            ObligationProver.Proof p = ob instanceof Obligation.ConceptRule || ob instanceof Obligation.Erase
                    ? asIs.measure(front.model(), ob, new Lowering.Context(front.ir().domain(),
                            front.ir().decision(), Set.of(), 1, dev.engram.verify.bounds.Deadline.after(timeoutSeconds)))
                    : asIs.prove(ob, front.ir().domain(), timeoutSeconds);
            Verdict v = p.verdict();
            checked.add(new VerifyResult.Checked(ob.name(), ob.kind(), ob.span(), v, p.measurement(), p.method()));
            if (v instanceof Verdict.Sat) {
                ds.add(CompileDiagnostics.doesNotHold(ob.name(), ob.span(), v, ob, front.ir().units(), modelName,
                        "enforce it with 'engram compile'"));
            } else if (p.measurement().measured() && !(v instanceof Verdict.Unsat)) {
                ds.add(CompileDiagnostics.doesNotHold(ob.name(), ob.span(), v, ob, front.ir().units(), modelName,
                        "write it into the weights with 'engram compile --dict', which measures the edit"));
            }
        }
        boolean violated = checked.stream().anyMatch(c -> c.verdict() instanceof Verdict.Sat
                || c.measured() && !(c.verdict() instanceof Verdict.Unsat));
        boolean undecided = checked.stream().anyMatch(c -> !c.measured() && !(c.verdict() instanceof Verdict.Sat
                || c.verdict() instanceof Verdict.Unsat));
        Outcome o = violated ? Outcome.NOT_PROVED : undecided || notChecked > 0 ? Outcome.UNDECIDED : Outcome.OK;
        return new VerifyResult(o, Optional.empty(), ds, front.sources(), front.modelPath(), checked, notChecked,
                front.ir().units());
    }

    /**
     * A model as it is, for {@code verify --rules}: a dense chain, proved by the dense verifier; or any other graph
     * (convolutions, pooling, residual branches), whose rules and properties are proved on the whole graph as executed
     * ({@link GraphProver}) and whose statements over learned concepts are measured on its dense tail.
     */
    private record AsIs(DenseNetwork dense, dev.engram.model.dag.Dag graph) {
        static AsIs of(LoadedModel model) {
            try {
                return new AsIs(model.dense(), null);
            } catch (ModelException | IllegalArgumentException notDense) {
                return new AsIs(null, model.dag());
            }
        }

        ObligationProver.Proof prove(Obligation ob, dev.engram.ir.SampleDomain domain, double timeoutSeconds) {
            return dense != null ? ObligationProver.prove(dense, ob, domain, timeoutSeconds)
                    : GraphProver.prove(graph, ob, domain, timeoutSeconds);
        }

        /**
         * A statement over a learned concept measured on the chain, or on a graph's dense tail after the flatten
         * ({@code unknown}, saying why, when the graph has none).
         */
        ObligationProver.Proof measure(LoadedModel model, Obligation ob, Lowering.Context ctx) {
            DenseNetwork net;
            try {
                net = dense != null ? dense : dev.engram.dict.EditableModel.network(model);
            } catch (ModelException | IllegalArgumentException e) {
                return new ObligationProver.Proof(new Verdict.Unknown(String.valueOf(e.getMessage()), 0), "measured");
            }
            return measureAsIs(net, ob, ctx);
        }
    }

    /**
     * A statement over a learned concept measured on {@code net} as it is: its lowering's own judgement, on a step
     * that changes nothing (the same figures, held to the same limits, that judge a compiled edit).
     */
    private static ObligationProver.Proof measureAsIs(DenseNetwork net, Obligation ob, Lowering.Context ctx) {
        Lowering pass = Lowerings.PASSES.stream().filter(l -> l.accepts(ob)).findFirst().orElseThrow();
        return pass.establish(net, new Step(ob, net, net, Changes.none(), 0, pass, null), ctx);
    }

    private static VerifyResult unusable(String message, List<Diagnostic> ds, List<SourceFile> sources) {
        return new VerifyResult(Outcome.UNUSABLE, message.isEmpty() ? Optional.empty() : Optional.of(message), ds,
                sources, Optional.empty(), List.of(), 0, dev.engram.ir.Units.none());
    }

    /**
     * Checks rules built in Java: what the builder could not write, then the checker's findings (names, types,
     * units), at positions in {@link Rules#text()}. No model is read.
     */
    public static CheckReport check(Rules rules) {
        List<Diagnostic> ds = new ArrayList<>(rules.diagnostics());
        if (rules.ok()) {
            ds.addAll(Checker.check(rules.source(), CheckOptions.builder().optBaseDir(rules.baseDir()).build()).diagnostics());
        }
        return new CheckReport(List.of(new CheckReport.FileReport(rules.source(), ds)), List.of(), Optional.empty());
    }

    /**
     * Compiles rules built in Java into {@code model}, writing nothing: the result holds the patched model (as
     * written to a temporary file, read back and proved) and its patch.
     */
    public static CompileResult compile(Path model, Rules rules) {
        return compile(rules, CompileRequest.builder().setModel(model));
    }

    /**
     * Compiles rules built in Java, with everything else from {@code request} (model, where to write the patched
     * model, patch and report, budgets): the rules take the place of a rule file, through the same front end.
     */
    public static CompileResult compile(Rules rules, CompileRequest.Builder request) {
        if (!rules.ok()) {
            CompileRequest r = request.build();
            return new CompileResult(Outcome.REJECTED, Optional.empty(), rules.diagnostics(), List.of(rules.source()),
                    r.model(), null, List.of(), null, null, null, null, null, 0);
        }
        return compile(request.optRules(rules.source(), rules.baseDir()).build());
    }

    /** Verifies every rule, property and {@code ignore} built in Java on {@code model} as it is. */
    public static VerifyResult verify(Path model, Rules rules, double timeoutSeconds) {
        if (!rules.ok()) {
            return new VerifyResult(Outcome.REJECTED, Optional.empty(), rules.diagnostics(), List.of(rules.source()),
                    Optional.ofNullable(model), List.of(), 0, dev.engram.ir.Units.none());
        }
        return verifyRules(new FrontEnd.Input(Optional.of(FrontEnd.RuleSource.of(rules.source(), rules.baseDir())),
                Optional.ofNullable(model), List.of(), Obligation.Strategy.GUARD, List.of(),
                Obligation.DEFAULT_DILATION, null, null, true, null), timeoutSeconds);
    }

    /**
     * Learns the neural-code dictionary of a model: where and how its neurons encode each declared concept, written to
     * a {@code .ncd} file bound to the model.
     */
    public static LearnResult learn(LearnRequest request) {
        return Learning.run(request);
    }

    /**
     * Reads a dictionary file, checked (truncated, foreign or corrupt files are refused) and, with a model, bound to
     * it; the reason it cannot be used otherwise.
     */
    public static DictionaryResult dictionary(Path ncd, Optional<Path> model) {
        try {
            String sha = model.isPresent() ? Models.load(model.get()).sha256() : null;
            return new DictionaryResult(Optional.of(dev.engram.dict.NcdFile.read(ncd, sha)), Optional.empty());
        } catch (dev.engram.dict.NcdFile.Rejected | ModelException | IllegalArgumentException e) {
            return new DictionaryResult(Optional.empty(), Optional.of(String.valueOf(e.getMessage())));
        }
    }

    /** A dictionary read from a file, or why it cannot be used. */
    public record DictionaryResult(Optional<dev.engram.dict.Dictionary> dictionary, Optional<String> problem) {
    }

    /** Applies {@code patch} to {@code model} and writes the result to {@code out} (never over the input). */
    public static PatchResult apply(Path model, Path patch, Path out) {
        return patchJob(model, patch, out, true);
    }

    /** Reverts {@code patch} from the patched {@code model} and writes the result to {@code out}. */
    public static PatchResult revert(Path model, Path patch, Path out) {
        return patchJob(model, patch, out, false);
    }

    private static PatchResult patchJob(Path model, Path patchFile, Path out, boolean forth) {
        try {
            if (Files.exists(out) && Files.isSameFile(model, out)) {
                return new PatchResult(Optional.of(out + ": refusing to overwrite the input file; choose another "
                        + "--out"), null, null, false);
            }
        } catch (IOException e) {
            // cannot compare: the paths differ
        }
        try {
            Patch p = Patch.read(patchFile);
            LoadedModel m = Models.load(model);
            LoadedModel r = forth ? p.apply(m) : p.revert(m);
            r.write(out);
            String base = p.provenance().baseSha256();
            return new PatchResult(Optional.empty(), r, p, base != null && base.equals(r.sha256()));
        } catch (ModelException | IllegalArgumentException e) {
            return new PatchResult(Optional.of(String.valueOf(e.getMessage())), null, null, false);
        }
    }
}
