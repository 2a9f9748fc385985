package dev.engram.front;

import dev.engram.ast.Statement;
import dev.engram.check.CheckedProgram;
import dev.engram.check.CheckedRule;
import dev.engram.diag.Diagnosed;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.ir.ConceptPolicy;
import dev.engram.ir.Decision;
import dev.engram.ir.Ir;
import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.ir.Units;
import dev.engram.model.LoadedModel;
import dev.engram.source.Span;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.Property;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The stage {@code checked program → IR}: every statement of a checked rule file becomes obligations in model
 * units — rules become {@link Obligation.Enforce} (one per premise case), properties {@link Obligation.Check},
 * {@code ignore} an {@link Obligation.Invariance}, {@code monotone} an {@link Obligation.Monotone} (one per region
 * case), imported VNN-LIB files either — together with the sampling
 * domain, the decision direction and the units; rules over learned concepts, {@code erase} and {@code steer toward}
 * go through the neural-code dictionary ({@link ConceptsToIr}). Statements this compiler cannot lower yet are
 * reported as {@link DiagnosticCode#E060} errors, never silently dropped.
 */
public final class ProgramToIr {
    private ProgramToIr() {
    }

    /**
     * The IR of one rule file, with the diagnostics saying what cannot be compiled (with errors, the IR holds what
     * could be translated).
     *
     * @param model            the model (VNN-LIB imports are checked against its sizes; concepts are learned on it)
     * @param dilationFraction the guard's dilation as a fraction of each input slot's declared domain width
     * @param concepts         how statements over learned concepts are served and judged; null when nothing will be
     *                         compiled (they are then {@code E060}: not checked)
     */
    public static Diagnosed<Ir> translate(CheckedProgram p, LoadedModel model, double dilationFraction,
                                          ConceptPolicy concepts) {
        int modelInputs = dev.engram.dict.EditableModel.inputSize(model);
        int modelOutputs = dev.engram.dict.EditableModel.outputSize(model);
        List<Diagnostic> diags = new ArrayList<>();
        List<Obligation> obs = new ArrayList<>();
        ModelUnits mu = ModelUnits.of(p, modelInputs, modelOutputs);
        SampleDomain domain = domain(p, modelInputs);
        if (concepts != null) {
            ConceptsToIr.Result cr = ConceptsToIr.translate(p, model, mu, domain, concepts);
            obs.addAll(cr.obligations());
            diags.addAll(cr.diagnostics());
        }
        for (CheckedRule r : p.rules()) {
            if (r.usesLearnedConcept()) {
                if (concepts == null) {
                    diags.add(Diagnostic.error(DiagnosticCode.E060, r.span(), "rule '" + r.name()
                                    + "' uses a concept learned from examples; it is measured, not proved",
                            "measure it on this model with --dict M.ncd (engram learn writes one), or compile it"));
                }
                continue;
            }
            Obligation.Strategy strategy = r.strategy().map(s -> s == Statement.Strategy.REPAIR
                    ? Obligation.Strategy.REPAIR : Obligation.Strategy.GUARD).orElse(Obligation.Strategy.AUTO);
            for (Property prop : mu.properties(r)) {
                obs.add(new Obligation.Enforce(prop.name(), r.span(), prop, strategy,
                        strategy != Obligation.Strategy.REPAIR ? Obligation.dilation(domain.box(), dilationFraction)
                                : null));
            }
        }
        for (CheckedRule r : p.properties()) {
            for (Property prop : mu.properties(r)) {
                obs.add(new Obligation.Check(prop.name(), r.span(), prop));
            }
        }
        for (CheckedProgram.Invariance inv : p.invariances()) {
            obs.add(invariance(p, inv));
        }
        for (CheckedProgram.Monotonicity m : p.monotonicities()) {
            String name = "monotone " + m.output() + (m.increasing() ? " increasing" : " decreasing") + " in "
                    + m.input();
            for (var one : mu.monotonicities(m, name, domain.oneHotBlocks())) {
                obs.add(new Obligation.Monotone(one.name(), m.span(), one, m.input()));
            }
        }
        for (CheckedProgram.VnnlibImport imp : p.imports()) {
            VnnlibFile f = VnnlibFile.read(Path.of(imp.file()), modelInputs, modelOutputs);
            if (f.unreadable() != null) {
                diags.add(Diagnostic.error(DiagnosticCode.E025, imp.span(), "cannot read imported VNN-LIB file: "
                        + f.unreadable(), "check that the file is readable"));
                continue;
            }
            if (!f.ok()) {
                // the imported file's own words are not repeated: it may lie anywhere, and its text is not ours to show
                for (Diagnostic d : f.diagnostics()) {
                    diags.add(Diagnostic.error(d.code(), imp.span(), "in imported " + imp.file() + " at line "
                            + d.span().start().line() + ", column " + d.span().start().column() + ": "
                            + d.code().title(), "run 'engram check' on the imported file for the details"));
                }
                continue;
            }
            for (Property prop : f.properties()) {
                obs.addAll(perBox(prop, imp.name(), imp.span(), imp.asRule() ? Obligation.Strategy.AUTO : null,
                        dilationFraction));
            }
        }
        diags.addAll(notYet(p, concepts == null));
        Decision decision = p.decide().map(d -> d == Statement.Direction.ARGMIN ? Decision.ARGMIN : Decision.ARGMAX)
                .orElse(Decision.ARGMAX);
        return Diagnosed.of(new Ir(obs, domain, decision, ModelUnits.units(p)), diags);
    }

    /** {@code ignore INPUT}: the input's slots, replaced by its expected value over the declared domain. */
    public static Obligation.Invariance invariance(CheckedProgram p, CheckedProgram.Invariance inv) {
        Units.Input in = p.inputs().stream().filter(i -> i.name().equals(inv.input())).findFirst()
                .map(ModelUnits::input).orElseThrow(() -> new IllegalArgumentException("no input '" + inv.input()
                        + "' in " + p.path()));
        return new Obligation.Invariance("ignore " + inv.input(), inv.span(), inv.input(), in.slots(), in.expected());
    }

    /** The IR's view of a checked input (slots, expected value, model-unit domain). */
    public static Units.Input input(CheckedProgram.Input in) {
        return ModelUnits.input(in);
    }

    /**
     * One obligation per box of {@code prop}'s region (named {@code name#k} when there are several): enforced with
     * {@code strategy} (a guard, or an automatic choice, dilated by {@code dilationFraction} of each box's widths), or
     * only checked when
     * {@code strategy} is null. Used for VNN-LIB properties, imported or given on the command line.
     */
    public static List<Obligation> perBox(Property prop, String name, Span span, Obligation.Strategy strategy,
                                          double dilationFraction) {
        List<Obligation> out = new ArrayList<>();
        List<Box> boxes = prop.region().boxes();
        for (int k = 0; k < boxes.size(); k++) {
            String n = name + (boxes.size() > 1 ? "#" + (k + 1) : "");
            Property one = new Property(n, new InputRegion(List.of(boxes.get(k)), prop.region().constraints()),
                    prop.unsafe());
            if (strategy == null) {
                out.add(new Obligation.Check(n, span, one));
            } else {
                out.add(new Obligation.Enforce(n, span, one, strategy, strategy != Obligation.Strategy.REPAIR
                        ? Obligation.dilation(boxes.get(k), dilationFraction) : null));
            }
        }
        return out;
    }

    /**
     * E060 for every statement that parses and checks but has no lowering yet; with {@code verifyOnly}, also for the
     * statements over learned concepts (they are lowered and measured only when compiled).
     */
    private static List<Diagnostic> notYet(CheckedProgram p, boolean verifyOnly) {
        List<Diagnostic> out = new ArrayList<>();
        if (!verifyOnly) {
            return out;
        }
        for (CheckedProgram.Erasure e : p.erasures()) {
            out.add(change(e.span(), "erase " + e.concept(), "measure how well a linear probe reads the concept "
                    + "there with --dict M.ncd, or compile it"));
        }
        for (CheckedProgram.Steering s : p.steerings()) {
            out.add(change(s.span(), "steer toward " + s.concept(), "compile it to make and measure it"));
        }
        return out;
    }

    /** E060 for a change to the weights in a job that compiles nothing ({@code engram verify --rules}). */
    private static Diagnostic change(Span span, String what, String hint) {
        return Diagnostic.error(DiagnosticCode.E060, span, "'" + what + "' is a change to the weights, made and "
                + "measured by engram compile", hint);
    }

    static Diagnostic notYet(Span span, String what, String why) {
        return Diagnostic.error(DiagnosticCode.E060, span, "'" + what + "' cannot be compiled into the weights yet: "
                + why, "keep it for 'engram check', or remove it from the files you compile");
    }

    /** The declared input domain in model units; one-hot blocks for categorical inputs; [0,1] for undeclared slots. */
    static SampleDomain domain(CheckedProgram p, int width) {
        double[] lo = new double[width];
        double[] hi = new double[width];
        Arrays.fill(hi, 1);
        List<int[]> blocks = new ArrayList<>();
        for (CheckedProgram.Input ci : p.inputs()) {
            Units.Input in = ModelUnits.input(ci);
            for (int s : in.slots()) {
                lo[s] = in.modelLo();
                hi[s] = in.modelHi();
            }
            if (in.categorical()) {
                blocks.add(in.slots());
            }
        }
        return new SampleDomain(new Box(lo, hi), blocks);
    }
}
