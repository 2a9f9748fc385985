package dev.engram.compile;

import dev.engram.ir.Decision;

import dev.engram.ast.Statement;
import dev.engram.check.CheckedProgram;
import dev.engram.check.CheckedRule;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.ir.Obligation;
import dev.engram.properties.VnnlibFile;
import dev.engram.source.Span;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.Property;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The stage {@code checked program → IR}: every statement of a checked rule file becomes obligations in model
 * units — rules become {@link Obligation.Enforce} (one per premise case), properties {@link Obligation.Check},
 * {@code ignore} an {@link Obligation.Invariance}, imported VNN-LIB files either — together with what the later
 * stages need to talk about the model: the sampling domain, the decision direction and the units. Statements this
 * compiler cannot lower yet are reported as {@link DiagnosticCode#E060} errors, never silently dropped.
 */
public final class ProgramToObligations {
    private ProgramToObligations() {
    }

    /** The IR of one rule file. {@code diagnostics} holds errors when something cannot be compiled. */
    public record Translation(List<Obligation> obligations, SampleDomain domain, Decision decision, Units units,
                              List<Diagnostic> diagnostics) {
        public Translation {
            obligations = List.copyOf(obligations);
            diagnostics = List.copyOf(diagnostics);
        }

        public boolean ok() {
            return diagnostics.stream().noneMatch(Diagnostic::isError);
        }
    }

    /**
     * @param deltaFraction the guard margin as a fraction of each input slot's declared domain width
     */
    public static Translation translate(CheckedProgram p, int modelInputs, int modelOutputs, double deltaFraction) {
        List<Diagnostic> diags = new ArrayList<>();
        List<Obligation> obs = new ArrayList<>();
        SampleDomain domain = domain(p, modelInputs);
        Box box = domain.box();
        for (CheckedRule r : p.rules()) {
            if (r.premiseModel().stream().anyMatch(c -> !c.learned().isEmpty())) {
                diags.add(Diagnostic.error(DiagnosticCode.E060, r.span(), "rule '" + r.name()
                                + "' uses a concept learned from examples; lowering it needs the neural-code dictionary",
                        "this compiler version lowers rules over input predicates only; verify it or rewrite the premise"));
                continue;
            }
            Obligation.Strategy strategy = r.strategy().orElse(Statement.Strategy.GUARD) == Statement.Strategy.REPAIR
                    ? Obligation.Strategy.REPAIR : Obligation.Strategy.GUARD;
            for (Property prop : r.toProperties()) {
                obs.add(new Obligation.Enforce(prop.name(), r.span(), prop, strategy,
                        strategy == Obligation.Strategy.GUARD ? Obligation.margins(box, deltaFraction) : null));
            }
        }
        for (CheckedRule r : p.properties()) {
            for (Property prop : r.toProperties()) {
                obs.add(new Obligation.Check(prop.name(), r.span(), prop));
            }
        }
        for (CheckedProgram.Invariance inv : p.invariances()) {
            int[] slots = inv.slots().stream().mapToInt(Integer::intValue).toArray();
            double[] expected = new double[slots.length];
            for (int k = 0; k < slots.length; k++) {
                expected[k] = slots.length > 1 ? 1.0 / slots.length
                        : (box.lo()[slots[k]] + box.hi()[slots[k]]) / 2;
            }
            obs.add(new Obligation.Invariance("ignore " + inv.input(), inv.span(), inv.input(), slots, expected));
        }
        for (CheckedProgram.VnnlibImport imp : p.imports()) {
            VnnlibFile f = VnnlibFile.read(Path.of(imp.file()), modelInputs, modelOutputs);
            if (!f.ok()) {
                for (Diagnostic d : f.diagnostics()) {
                    diags.add(Diagnostic.error(d.code(), imp.span(), "in imported " + imp.file() + ": " + d.message(),
                            d.hint()));
                }
                continue;
            }
            for (Property prop : f.properties()) {
                obs.addAll(perBox(prop, imp.name(), imp.span(), imp.asRule() ? Obligation.Strategy.GUARD : null,
                        deltaFraction));
            }
        }
        for (CheckedProgram.Monotonicity m : p.monotonicities()) {
            diags.add(notYet(m.span(), "monotone " + m.output() + " in " + m.input(),
                    "monotonicity needs a two-copy verification this version does not have"));
        }
        for (CheckedProgram.Erasure e : p.erasures()) {
            diags.add(notYet(e.span(), "erase " + e.concept(), "erasure needs the neural-code dictionary"));
        }
        for (CheckedProgram.Steering s : p.steerings()) {
            diags.add(notYet(s.span(), "steer toward " + s.concept(), "steering toward a concept needs the "
                    + "neural-code dictionary; the Java API steers with an explicit direction (Obligation.steer)"));
        }
        Decision decision = p.decide().map(d -> d == Statement.Direction.ARGMIN ? Decision.ARGMIN : Decision.ARGMAX)
                .orElse(Decision.ARGMAX);
        return new Translation(obs, domain, decision, Units.of(p), diags);
    }

    /**
     * One obligation per box of {@code prop}'s region (named {@code name#k} when there are several): enforced with
     * {@code strategy} (guard margins {@code deltaFraction} of each box's widths), or only checked when
     * {@code strategy} is null. Used for VNN-LIB properties, imported or given on the command line.
     */
    public static List<Obligation> perBox(Property prop, String name, Span span, Obligation.Strategy strategy,
                                          double deltaFraction) {
        List<Obligation> out = new ArrayList<>();
        List<Box> boxes = prop.region().boxes();
        for (int k = 0; k < boxes.size(); k++) {
            String n = name + (boxes.size() > 1 ? "#" + (k + 1) : "");
            Property one = new Property(n, new InputRegion(List.of(boxes.get(k)), prop.region().constraints()),
                    prop.unsafe());
            if (strategy == null) {
                out.add(new Obligation.Check(n, span, one));
            } else {
                out.add(new Obligation.Enforce(n, span, one, strategy, strategy == Obligation.Strategy.GUARD
                        ? Obligation.margins(boxes.get(k), deltaFraction) : null));
            }
        }
        return out;
    }

    private static Diagnostic notYet(Span span, String what, String why) {
        return Diagnostic.error(DiagnosticCode.E060, span, "'" + what + "' cannot be compiled into the weights yet: "
                + why, "keep it for 'engram check', or remove it from the files you compile");
    }

    /** The declared input domain in model units; one-hot blocks for categorical inputs; [0,1] for undeclared slots. */
    static SampleDomain domain(CheckedProgram p, int width) {
        double[] lo = new double[width];
        double[] hi = new double[width];
        java.util.Arrays.fill(hi, 1);
        List<int[]> blocks = new ArrayList<>();
        for (CheckedProgram.Input in : p.inputs()) {
            if (in.categorical()) {
                int[] block = new int[in.width()];
                for (int k = 0; k < block.length; k++) {
                    block[k] = in.index() + k;
                    lo[in.index() + k] = 0;
                    hi[in.index() + k] = 1;
                }
                blocks.add(block);
            } else {
                double a = in.lo() * in.scale() + in.offset();
                double b = in.hi() * in.scale() + in.offset();
                lo[in.index()] = Math.min(a, b);
                hi[in.index()] = Math.max(a, b);
            }
        }
        return new SampleDomain(new Box(lo, hi), blocks);
    }
}
