package dev.engram.report;

import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.ir.Units;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;
import dev.engram.verify.LinearConstraint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * A 2-D decision slice through a rule's region: two inputs span a plane around the region's box (the others fixed at
 * the point of the box where the original model comes closest to breaking the rule, or breaks it most), and on a
 * grid of that plane the decision of the original and of the patched model. The two axes are the inputs the rule constrains most (its box is narrowest relative to the
 * domain there), real-valued ones only.
 *
 * @param x, y       the axes: model slot, name, and the plane's range in model units
 * @param region     the rule's box in the plane (model units)
 * @param reach      the guard's dilated box in the plane, or null
 * @param fixed      the other inputs' values, in real units, for the caption
 * @param before     decisions of the original model, {@code before[row][col]}, row 0 at the plane's lowest y
 * @param after      decisions of the patched model
 * @param outputs    the outputs' names, by index
 */
record Slice(Axis x, Axis y, double[] region, double[] reach, String fixed, int[][] before, int[][] after,
             List<String> outputs) {
    /** Cells per side. */
    static final int GRID = 64;

    /** One axis: a model input slot and its range in the plane, with the real-unit conversion for labels. */
    record Axis(int slot, String name, String unit, double lo, double hi, double scale, double offset) {
        double real(double model) {
            return (model - offset) / scale;
        }

        double at(int cell) {
            return lo + (cell + 0.5) * (hi - lo) / GRID;
        }
    }

    /** The slice for {@code ob}, or empty when it has no box, or fewer than two real inputs to span a plane. */
    static Optional<Slice> of(Obligation ob, SampleDomain domain, Units units, Decision decision,
                              DenseNetwork original, DenseNetwork patched) {
        Box box = ob instanceof Obligation.Enforce e ? e.box()
                : ob instanceof Obligation.Check c && c.property().region().boxes().size() == 1
                ? c.property().region().boxes().get(0) : null;
        if (box == null || original.inputSize() != box.dimension()) {
            return Optional.empty();
        }
        Box dom = domain != null ? domain.box() : around(box);
        List<Units.Input> real = realInputs(units, box.dimension());
        List<Units.Input> axes = real.stream()
                .sorted(Comparator.comparingDouble((Units.Input in) -> share(box, dom, in.index())))
                .limit(2).sorted(Comparator.comparingInt(Units.Input::index)).toList();
        if (axes.size() < 2) {
            return Optional.empty();
        }
        Axis ax = axis(axes.get(0), box, dom);
        Axis ay = axis(axes.get(1), box, dom);
        float[] base = worstPoint(ob, box, units, original);
        double[] point = new double[base.length];
        for (int i = 0; i < point.length; i++) {
            point[i] = base[i];
        }
        List<String> fixed = java.util.Arrays.stream(units.inputs(point).split(", "))
                .filter(part -> !part.startsWith(ax.name() + " = ") && !part.startsWith(ay.name() + " = ")).toList();
        int[][] before = grid(original, base, ax, ay, decision);
        int[][] after = grid(patched, base, ax, ay, decision);
        double[] region = {box.lo()[ax.slot()], box.hi()[ax.slot()], box.lo()[ay.slot()], box.hi()[ay.slot()]};
        double[] reach = null;
        if (ob instanceof Obligation.Enforce e && e.dilation() != null) {
            Box d = e.dilatedBox();
            reach = new double[] {d.lo()[ax.slot()], d.hi()[ax.slot()], d.lo()[ay.slot()], d.hi()[ay.slot()]};
        }
        List<String> outputs = new ArrayList<>();
        for (int j = 0; j < original.outputSize(); j++) {
            int jj = j;
            outputs.add(units.outputs().stream().filter(o -> o.index() == jj).map(Units.Output::name).findFirst()
                    .orElse("Y_" + j));
        }
        return Optional.of(new Slice(ax, ay, region, reach, String.join(", ", fixed), before, after, outputs));
    }

    /**
     * The point of the box where the original model is deepest in the rule's unsafe set (or, when it never is there,
     * closest to it), among 512 seeded samples and the box's centre: the plane goes through it, so the slice shows
     * where the rule bites. One-hot blocks are sampled as one-hot vectors over the values the box allows.
     */
    private static float[] worstPoint(Obligation ob, Box box, Units units, DenseNetwork original) {
        List<List<LinearConstraint>> unsafe = ob instanceof Obligation.Enforce e ? e.property().unsafe()
                : ((Obligation.Check) ob).property().unsafe();
        Random r = new Random(42);
        float[] best = null;
        double bestDepth = Double.NEGATIVE_INFINITY;
        for (int k = 0; k <= 512; k++) {
            float[] x = new float[box.dimension()];
            for (int i = 0; i < x.length; i++) {
                double t = k == 0 ? 0.5 : r.nextDouble();
                x[i] = (float) (box.lo()[i] + t * (box.hi()[i] - box.lo()[i]));
            }
            for (Units.Input in : units.inputs()) {
                if (in.categorical()) {
                    List<Integer> allowed = new ArrayList<>();
                    for (int s : in.slots()) {
                        if (box.hi()[s] >= 1) {
                            allowed.add(s);
                        }
                    }
                    int hot = allowed.isEmpty() ? in.index() : allowed.get(k == 0 ? 0 : r.nextInt(allowed.size()));
                    for (int s : in.slots()) {
                        x[s] = s == hot ? 1f : 0f;
                    }
                }
            }
            double d = depth(unsafe, original.evaluate(x));
            if (d > bestDepth) {
                bestDepth = d;
                best = x;
            }
        }
        return best;
    }

    /** How deep {@code y} is in the unsafe set: {@code max over conjunctions of min (bound - a·y)}; >= 0 inside. */
    private static double depth(List<List<LinearConstraint>> unsafe, float[] y) {
        double best = Double.NEGATIVE_INFINITY;
        for (List<LinearConstraint> conj : unsafe) {
            double worst = Double.POSITIVE_INFINITY;
            for (LinearConstraint c : conj) {
                double ay = 0;
                for (int j = 0; j < y.length; j++) {
                    ay += c.coefficients()[j] * y[j];
                }
                worst = Math.min(worst, c.bound() - ay);
            }
            best = Math.max(best, worst);
        }
        return best;
    }

    /** Without a declared domain: the box widened by its own width on every side. */
    private static Box around(Box box) {
        double[] lo = box.lo().clone();
        double[] hi = box.hi().clone();
        for (int i = 0; i < lo.length; i++) {
            double w = hi[i] - lo[i];
            lo[i] -= w;
            hi[i] += w;
        }
        return new Box(lo, hi);
    }

    /** The real-valued inputs (without a rule file: every slot, named X_i, in model units). */
    private static List<Units.Input> realInputs(Units units, int width) {
        if (!units.inputs().isEmpty()) {
            return units.inputs().stream().filter(in -> !in.categorical()).toList();
        }
        List<Units.Input> out = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            out.add(new Units.Input("X_" + i, i, 1, false, List.of(), 0, 0, "", 1, 0));
        }
        return out;
    }

    /** The box's width on slot {@code i} as a share of the domain's (0: a point, 1: unconstrained). */
    private static double share(Box box, Box dom, int i) {
        double d = dom.hi()[i] - dom.lo()[i];
        return d <= 0 ? 1 : Math.min(1, (box.hi()[i] - box.lo()[i]) / d);
    }

    /** The plane's range on one input: the box widened by its width (at least 15 % of the domain), in the domain. */
    private static Axis axis(Units.Input in, Box box, Box dom) {
        int i = in.index();
        double w = Math.max(box.hi()[i] - box.lo()[i], 0.15 * (dom.hi()[i] - dom.lo()[i]));
        double lo = Math.max(dom.lo()[i], box.lo()[i] - w);
        double hi = Math.min(dom.hi()[i], box.hi()[i] + w);
        if (!(hi > lo)) {
            lo = box.lo()[i] - 0.5;
            hi = box.hi()[i] + 0.5;
        }
        return new Axis(i, in.name(), in.unit(), lo, hi, in.scale(), in.offset());
    }

    private static int[][] grid(DenseNetwork net, float[] base, Axis ax, Axis ay, Decision decision) {
        int[][] out = new int[GRID][GRID];
        float[] x = base.clone();
        for (int r = 0; r < GRID; r++) {
            x[ay.slot()] = (float) ay.at(r);
            for (int c = 0; c < GRID; c++) {
                x[ax.slot()] = (float) ax.at(c);
                out[r][c] = decision.of(net.evaluate(x));
            }
        }
        return out;
    }

    /** How many cells changed their decision. */
    int changed() {
        int n = 0;
        for (int r = 0; r < GRID; r++) {
            for (int c = 0; c < GRID; c++) {
                n += before[r][c] != after[r][c] ? 1 : 0;
            }
        }
        return n;
    }
}
