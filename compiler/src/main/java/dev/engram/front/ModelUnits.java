package dev.engram.front;

import dev.engram.check.CheckedProgram;
import dev.engram.check.CheckedRule;
import dev.engram.check.Linear;
import dev.engram.check.PremiseCase;
import dev.engram.ir.Units;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import dev.engram.verify.monotone.Monotonicity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one place where a checked program's real units become the model's units: every input slot and output has
 * {@code model = real * scale + offset} (1 and 0 where nothing is declared), so a constraint {@code a·x <= b} in real
 * units becomes {@code (a/scale)·m <= b + Σ a·offset/scale} in model units, and a premise box is mapped end by end.
 */
final class ModelUnits {
    private final double[] inScale;
    private final double[] inOffset;
    private final double[] outScale;
    private final double[] outOffset;

    private ModelUnits(CheckedProgram p) {
        inScale = new double[p.inputWidth()];
        inOffset = new double[p.inputWidth()];
        Arrays.fill(inScale, 1);
        for (CheckedProgram.Input in : p.inputs()) {
            for (int k = 0; k < in.width(); k++) {
                inScale[in.index() + k] = in.scale();
                inOffset[in.index() + k] = in.offset();
            }
        }
        outScale = new double[p.outputWidth()];
        outOffset = new double[p.outputWidth()];
        Arrays.fill(outScale, 1);
        for (CheckedProgram.Output o : p.outputs()) {
            outScale[o.index()] = o.scale();
            outOffset[o.index()] = o.offset();
        }
    }

    static ModelUnits of(CheckedProgram p) {
        return new ModelUnits(p);
    }

    /** The IR's view of the declarations, for showing model-unit vectors in real units. */
    static Units units(CheckedProgram p) {
        List<Units.Input> ins = p.inputs().stream().map(ModelUnits::input).toList();
        List<Units.Output> outs = p.outputs().stream()
                .map(o -> new Units.Output(o.name(), o.index(), o.scale(), o.offset())).toList();
        return new Units(ins, outs);
    }

    static Units.Input input(CheckedProgram.Input in) {
        return new Units.Input(in.name(), in.index(), in.width(), in.categorical(), in.values(), in.lo(), in.hi(),
                in.unit(), in.scale(), in.offset());
    }

    /**
     * The verification problems of a checked rule or property in model units, one per premise case: the case's
     * box and linear constraints as the region, the negated consequent as the unsafe set (a disjunction over clauses
     * of the conjunction of negated literals; strict inequalities relaxed to non-strict). Learned-concept literals
     * are not part of the region (an over-approximation).
     */
    List<Property> properties(CheckedRule r) {
        List<List<LinearConstraint>> unsafe = new ArrayList<>();
        for (List<Linear> clause : r.consequent()) {
            List<LinearConstraint> conj = new ArrayList<>();
            for (Linear l : clause) {
                conj.add(constraint(affine(l, outScale, outOffset).negate()));
            }
            unsafe.add(conj);
        }
        List<Property> out = new ArrayList<>();
        for (int i = 0; i < r.premise().size(); i++) {
            PremiseCase c = r.premise().get(i);
            List<LinearConstraint> cons = c.constraints().stream()
                    .map(l -> constraint(affine(l, inScale, inOffset))).toList();
            InputRegion region = new InputRegion(List.of(box(c)), cons);
            out.add(new Property(r.premise().size() == 1 ? r.name() : r.name() + "#" + (i + 1), region, unsafe));
        }
        return out;
    }

    /**
     * A monotonicity in model units, one per case of its region: {@code c·y_real} with {@code y_real = (y − o)/s}
     * has coefficients {@code c/s} on the model's outputs, and a real input growing moves the model input by the sign
     * of its scale; the objective carries both signs and the direction, so the requirement is "non-decreasing".
     */
    List<Monotonicity> monotonicities(CheckedProgram.Monotonicity m, String name, List<int[]> oneHotBlocks) {
        double sign = (m.increasing() ? 1 : -1) * Math.signum(inScale[m.inputSlot()]);
        double[] a = new double[outScale.length];
        for (int k = 0; k < a.length; k++) {
            a[k] = sign * m.coefficients()[k] / outScale[k];
        }
        List<Monotonicity> out = new ArrayList<>();
        for (int i = 0; i < m.region().size(); i++) {
            PremiseCase c = m.region().get(i);
            List<LinearConstraint> cons = c.constraints().stream()
                    .map(l -> constraint(affine(l, inScale, inOffset))).toList();
            out.add(new Monotonicity(m.region().size() == 1 ? name : name + "#" + (i + 1),
                    new InputRegion(List.of(box(c)), cons), a, m.inputSlot(), oneHotBlocks));
        }
        return out;
    }

    /** A premise case's box in model units. */
    Box box(PremiseCase c) {
        int n = inScale.length;
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int i = 0; i < n; i++) {
            double a = c.lo()[i] * inScale[i] + inOffset[i];
            double b = c.hi()[i] * inScale[i] + inOffset[i];
            lo[i] = Math.min(a, b);
            hi[i] = Math.max(a, b);
        }
        return new Box(lo, hi);
    }

    /** Rewrites {@code a·x <= b} over real units into model units where {@code m = x*scale + offset}. */
    private static Linear affine(Linear l, double[] scale, double[] offset) {
        double[] c = new double[l.coefficients().length];
        double bound = l.bound();
        for (int i = 0; i < c.length; i++) {
            double a = l.coefficients()[i];
            if (a != 0) {
                c[i] = a / scale[i];
                bound += a * offset[i] / scale[i];
            }
        }
        return new Linear(c, bound, l.strict());
    }

    /** The verifier's constraint: the closure of a strict inequality. */
    private static LinearConstraint constraint(Linear l) {
        return new LinearConstraint(l.coefficients(), l.bound());
    }
}
