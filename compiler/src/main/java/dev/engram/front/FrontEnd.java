package dev.engram.front;

import dev.engram.check.CheckOptions;
import dev.engram.diag.Diagnosed;
import dev.engram.check.CheckedProgram;
import dev.engram.check.Checker;
import dev.engram.check.ModelFit;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.diag.Severity;
import dev.engram.ir.ConceptPolicy;
import dev.engram.ir.Decision;
import dev.engram.ir.Ir;
import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.ir.Units;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.Models;
import dev.engram.source.SourceFile;
import dev.engram.source.Span;
import dev.engram.verify.Property;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The front half of every pipeline, {@code source → AST → checked program → IR}: reads the rule file once,
 * parses and checks it once, loads the model once (the one given, or the rule file's {@code model} declaration
 * resolved against the rule file's folder), checks the declarations against the model's sizes, translates to the
 * IR ({@link ProgramToIr}) and adds the VNN-LIB files to enforce and the obligations built in Java. Never throws for
 * a user's mistake: every problem is a diagnostic or a {@link Front.Stop}.
 */
public final class FrontEnd {
    private FrontEnd() {
    }

    /**
     * What to read.
     *
     * @param rules            the rule file (path, or text with the folder its relative paths are resolved against)
     * @param model            the model; overrides the rule file's declaration
     * @param enforce          VNN-LIB files whose properties are enforced with {@code enforceStrategy}
     * @param obligations      obligations built in Java, added after the ones from text
     * @param dilationFraction the guard's dilation as a fraction of each input's domain (rules) or box (VNN-LIB)
     * @param domain           where fidelity is sampled; null: the rule file's declared domain, else around the rules
     * @param decision         how the model decides; null: the rule file's {@code decide}, else arg-min
     * @param verifyOnly       nothing will be compiled: statements that cannot be compiled yet ({@code E060}) become
     *                         notes and the rest goes on
     * @param concepts         how statements over learned concepts are served and judged; with {@code verifyOnly}
     *                         they are measured on the model as it is when this names a dictionary, and only noted
     *                         ({@code E060} notes) when it is null
     * @param points           inputs to fix (pointwise and local repair), one obligation per row, read once the
     *                         model's sizes are known
     */
    public record Input(Optional<RuleSource> rules, Optional<Path> model, List<Path> enforce,
                        Obligation.Strategy enforceStrategy, List<Obligation> obligations, double dilationFraction,
                        SampleDomain domain, Decision decision, boolean verifyOnly, ConceptPolicy concepts,
                        List<PointSet> points) {
        public Input {
            enforce = List.copyOf(enforce);
            obligations = List.copyOf(obligations);
            points = List.copyOf(points);
        }

        public Input(Optional<RuleSource> rules, Optional<Path> model, List<Path> enforce,
                     Obligation.Strategy enforceStrategy, List<Obligation> obligations, double dilationFraction,
                     SampleDomain domain, Decision decision, boolean verifyOnly, ConceptPolicy concepts) {
            this(rules, model, enforce, enforceStrategy, obligations, dilationFraction, domain, decision, verifyOnly,
                    concepts, List.of());
        }

        /** What {@code engram verify --rules} reads: a rule file on a model, nothing to compile. */
        public static Input toVerify(Path rules, Optional<Path> model) {
            return toVerify(rules, model, null);
        }

        /**
         * What {@code engram verify --rules --dict} reads: the statements over learned concepts are served by the
         * dictionary {@code concepts} names, to be measured on the model as it is ({@code concepts} null: noted).
         */
        public static Input toVerify(Path rules, Optional<Path> model, ConceptPolicy concepts) {
            return new Input(Optional.of(RuleSource.of(rules)), model, List.of(), Obligation.Strategy.GUARD, List.of(),
                    Obligation.DEFAULT_DILATION, null, null, true, concepts);
        }
    }

    /** A rule file: read from {@code path}, or given as {@code text} (then {@code path} is only its folder's base). */
    public record RuleSource(Path path, SourceFile text) {
        public static RuleSource of(Path path) {
            return new RuleSource(path, null);
        }

        public static RuleSource of(SourceFile text, Path baseDir) {
            return new RuleSource(baseDir.resolve("rules.engram"), text);
        }

        Path baseDir() {
            Path parent = path.toAbsolutePath().getParent();
            return parent == null ? path.toAbsolutePath() : parent;
        }
    }

    /** Runs the front half on {@code in}. */
    public static Front read(Input in) {
        return new Reading(in).run();
    }

    /** The state of one reading: what has been read so far. */
    private static final class Reading {
        final Input in;
        final List<SourceFile> sources = new ArrayList<>();
        final List<Diagnostic> diags = new ArrayList<>();
        Optional<Path> modelPath;
        LoadedModel model;
        String sha = "";
        Optional<CheckedProgram> checked = Optional.empty();

        Reading(Input in) {
            this.in = in;
            this.modelPath = in.model();
        }

        Front stop(Front.Stop.Kind kind, String message) {
            return new Front(sources, diags, Optional.of(new Front.Stop(kind, message)), modelPath, model, null, sha);
        }

        Front run() {
            Optional<CheckedProgram> program = Optional.empty();
            if (in.rules().isPresent()) {
                Optional<Front> stopped = check(in.rules().get());
                if (stopped.isPresent()) {
                    return stopped.get();
                }
                program = checked;
                modelPath = in.model().or(() -> checked.get().model()
                        .map(m -> in.rules().get().baseDir().resolve(m).normalize()));
                if (modelPath.isEmpty()) {
                    return stop(Front.Stop.Kind.UNUSABLE, "no model: give --model or declare one in "
                            + in.rules().get().path());
                }
            } else if (modelPath.isEmpty()) {
                return stop(Front.Stop.Kind.UNUSABLE, in.enforce().isEmpty() ? "no model given"
                        : "--model is required with --enforce alone");
            }
            try {
                model = Models.load(modelPath.get());
            } catch (ModelException | IllegalArgumentException e) {
                return stop(Front.Stop.Kind.UNUSABLE, String.valueOf(e.getMessage()));
            }
            return translate(program);
        }

        /** Reads, parses and checks the rule file once; a stop when it cannot go on. */
        Optional<Front> check(RuleSource rs) {
            SourceFile source = rs.text();
            if (source == null) {
                try {
                    source = SourceFile.read(rs.path());
                } catch (IOException | RuntimeException e) {
                    String why = e instanceof NoSuchFileException ? "no such file" : e.getMessage();
                    return Optional.of(stop(Front.Stop.Kind.UNUSABLE, "cannot read " + rs.path() + ": " + why));
                }
            }
            sources.add(source);
            sha = sha256(source.text());
            Diagnosed<CheckedProgram> r = Checker.check(source, CheckOptions.builder().optBaseDir(rs.baseDir()).build());
            diags.addAll(r.diagnostics());
            if (r.hasErrors() || r.value().isEmpty()) {
                return Optional.of(stop(Front.Stop.Kind.REJECTED, ""));
            }
            checked = r.value();
            return Optional.empty();
        }

        /** The IR: the rule file's obligations, then the VNN-LIB files to enforce, then the Java-built ones. */
        Front translate(Optional<CheckedProgram> program) {
            int ins;
            int outs;
            try {
                ins = dev.engram.dict.EditableModel.inputSize(model);
                outs = dev.engram.dict.EditableModel.outputSize(model);
            } catch (ModelException | IllegalArgumentException e) {
                return stop(Front.Stop.Kind.UNUSABLE, String.valueOf(e.getMessage()));
            }
            List<Obligation> obs = new ArrayList<>();
            SampleDomain domain = null;
            Decision decision = null;
            Units units = Units.none();
            if (program.isPresent()) {
                List<Diagnostic> fit = ModelFit.check(program.get(), ins, outs);
                if (!fit.isEmpty()) {
                    diags.addAll(fit);
                    diags.sort(java.util.Comparator.comparing((Diagnostic d) -> d.span().start()));
                    return stop(Front.Stop.Kind.REJECTED, "");
                }
                Diagnosed<Ir> t = ProgramToIr.translate(program.get(), model, in.dilationFraction(),
                        in.concepts() != null ? in.concepts() : in.verifyOnly() ? null : ConceptPolicy.defaults());
                for (Diagnostic d : t.diagnostics()) {
                    diags.add(in.verifyOnly() && d.code() == DiagnosticCode.E060 ? notChecked(d) : d);
                }
                if (diags.stream().anyMatch(Diagnostic::isError)) {
                    return stop(Front.Stop.Kind.REJECTED, "");
                }
                Ir partial = t.value().orElseThrow();
                obs.addAll(partial.obligations());
                domain = partial.domain();
                decision = partial.decision();
                units = partial.units();
            }
            Optional<Front> bad = enforce(ins, outs, obs);
            if (bad.isPresent()) {
                return bad.get();
            }
            List<float[]> keep = new ArrayList<>();
            for (PointSet ps : in.points()) {
                PointSet.Read r = ps.read(ins, outs);
                diags.addAll(r.diagnostics());
                if (!r.ok()) {
                    return stop(Front.Stop.Kind.UNUSABLE, "");
                }
                obs.addAll(r.obligations());
                keep.addAll(r.keep());
                if (domain == null) {
                    domain = SampleDomain.of(unitBox(ins, ps.lo(), ps.hi()));
                }
            }
            obs.addAll(in.obligations());
            if (obs.isEmpty()) {
                return stop(Front.Stop.Kind.REJECTED, (in.verifyOnly() ? "nothing to verify" : "nothing to compile")
                        + in.rules().map(r -> " in " + r.path()).orElse(""));
            }
            SampleDomain chosen = in.domain() != null ? in.domain() : domain;
            if (!keep.isEmpty() && chosen != null) {
                chosen = chosen.withData(keep);
            }
            Ir ir = new Ir(obs, chosen, in.decision() != null ? in.decision()
                    : decision != null ? decision : in.points().isEmpty() ? null : Decision.ARGMAX, units);
            return new Front(sources, diags, Optional.empty(), modelPath, model, ir, sha);
        }

        /** Adds the VNN-LIB properties to enforce, one obligation per box; a stop when a file is unusable. */
        Optional<Front> enforce(int ins, int outs, List<Obligation> obs) {
            for (Path p : in.enforce()) {
                VnnlibFile f = VnnlibFile.read(p, ins, outs);
                if (f.unreadable() != null) {
                    return Optional.of(stop(Front.Stop.Kind.UNUSABLE, "cannot read " + f.unreadable()));
                }
                sources.add(f.source());
                diags.addAll(f.diagnostics());
                if (!f.ok()) {
                    return Optional.of(stop(Front.Stop.Kind.UNUSABLE, ""));
                }
                for (Property prop : f.properties()) {
                    obs.addAll(ProgramToIr.perBox(prop, prop.name(), Span.of(p.toString(), 1, 1, 1, 1),
                            in.enforceStrategy(), in.dilationFraction()));
                }
            }
            return Optional.empty();
        }
    }

    /** The box {@code [lo, hi]} in each of {@code n} inputs. */
    static dev.engram.verify.Box unitBox(int n, double lo, double hi) {
        double[] l = new double[n];
        double[] h = new double[n];
        java.util.Arrays.fill(l, lo);
        java.util.Arrays.fill(h, hi);
        return new dev.engram.verify.Box(l, h);
    }

    /** An {@code E060} turned into a note: the statement is not checked. */
    static Diagnostic notChecked(Diagnostic d) {
        return new Diagnostic(d.code(), Severity.NOTE, d.span(), "not verified: " + d.message(), d.hint());
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
