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
    /** Input slots the file declares; the others range over [0, 1] in model units. */
    private final boolean[] declared;
    private final double[] outScale;
    private final double[] outOffset;

    private ModelUnits(CheckedProgram p, int modelInputs, int modelOutputs) {
        inScale = new double[Math.max(p.inputWidth(), modelInputs)];
        inOffset = new double[inScale.length];
        declared = new boolean[inScale.length];
        Arrays.fill(inScale, 1);
        for (CheckedProgram.Input in : p.inputs()) {
            for (int k = 0; k < in.width(); k++) {
                inScale[in.index() + k] = in.scale();
                inOffset[in.index() + k] = in.offset();
                declared[in.index() + k] = true;
            }
        }
        outScale = new double[Math.max(p.outputWidth(), modelOutputs)];
        outOffset = new double[outScale.length];
        Arrays.fill(outScale, 1);
        for (CheckedProgram.Output o : p.outputs()) {
            outScale[o.index()] = o.scale();
            outOffset[o.index()] = o.offset();
        }
    }

    /**
     * The units of {@code p} on a model with these input and output counts: slots the file does not declare are
     * model units already, and an undeclared input ranges over [0, 1] (as in the sampling domain).
     */
    static ModelUnits of(CheckedProgram p, int modelInputs, int modelOutputs) {
        return new ModelUnits(p, modelInputs, modelOutputs);
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
     * of the conjunction of negated literals; strict inequalities relaxed to non-strict). A clause that always holds
     * ({@link #alwaysHolds}) has an empty negation and is left out: relaxed, it would become a hyperplane of ties
     * that no change of the model can avoid crossing. Learned-concept literals are not part of the region (an
     * over-approximation).
     */
    List<Property> properties(CheckedRule r) {
        List<List<LinearConstraint>> unsafe = new ArrayList<>();
        for (List<Linear> clause : r.consequent()) {
            if (alwaysHolds(clause)) {
                continue;
            }
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
     * True when two literals of {@code clause} cover every output: {@code c·y <= b1} (or {@code <}) and
     * {@code -c·y <= b2}, that is {@code c·y >= -b2}, with {@code -b2 < b1}, or {@code -b2 = b1} and one of them
     * not strict. "WL is the decision or COC is the decision" expands to such a clause,
     * {@code WL <= COC or COC <= WL}.
     */
    static boolean alwaysHolds(List<Linear> clause) {
        for (int i = 0; i < clause.size(); i++) {
            for (int j = i + 1; j < clause.size(); j++) {
                Linear a = clause.get(i);
                Linear b = clause.get(j);
                if (opposite(a.coefficients(), b.coefficients())) {
                    double sum = a.bound() + b.bound();
                    if (sum > 0 || (sum == 0 && !(a.strict() && b.strict()))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean opposite(double[] a, double[] b) {
        boolean nonzero = false;
        for (int k = 0; k < a.length; k++) {
            if (a[k] != -b[k]) {
                return false;
            }
            nonzero |= a[k] != 0;
        }
        return nonzero;
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
            // outputs past the last declared one have coefficient 0
            a[k] = k < m.coefficients().length ? sign * m.coefficients()[k] / outScale[k] : 0;
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

    /** A premise case's box in model units (an input slot the file does not declare: [0, 1]). */
    Box box(PremiseCase c) {
        int n = inScale.length;
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int i = 0; i < n; i++) {
            double a = declared[i] ? c.lo()[i] * inScale[i] + inOffset[i] : 0;
            double b = declared[i] ? c.hi()[i] * inScale[i] + inOffset[i] : 1;
            lo[i] = Math.min(a, b);
            hi[i] = Math.max(a, b);
        }
        return new Box(lo, hi);
    }

    /** Rewrites {@code a·x <= b} over real units into model units where {@code m = x*scale + offset}. */
    private static Linear affine(Linear l, double[] scale, double[] offset) {
        double[] c = new double[Math.max(l.coefficients().length, scale.length)];
        double bound = l.bound();
        for (int i = 0; i < l.coefficients().length; i++) {
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
