package dev.engram.lower.repair;

import dev.engram.verify.Box;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.bounds.Bounds;
import dev.engram.verify.bounds.LinearBounds;

/**
 * A box of one goal's region (a rule's, or a kept property's: {@link Goals}) with the original network's bounds on it: the interval {@code [hiddenLo, hiddenHi]}
 * of the last hidden activations, per unsafe conjunction the constraint chosen to refute it, how loose the bounds
 * are (sampled estimate minus bound, summed over the conjunctions) and, per input, how much its width weighs in
 * the tightest refutation's bound (where to split); {@code bounds} are the original network's bounds on the box
 * (its parts start from them); {@code parent} is the subdomain it was split from (null for a
 * box of the region), so the partition is a tree.
 */
record Subdomain(int goal, double[] lo, double[] hi, int depth, double[] hiddenLo, double[] hiddenHi,
                 Refutation[] refutations, double looseness, double[] influence, LinearBounds bounds,
                 Subdomain parent) {

    /**
     * The constraint {@code a · y <= bound} of one unsafe conjunction that the repair makes impossible on a
     * subdomain: {@code lowerGap} is a sound lower bound of {@code a · y - bound} for the original network there,
     * {@code scale} the size of {@code |bound| + Σ |a_j| max |y_j|}; {@code pinned}: chosen again where the one closest to
     * refuted conflicts with the rules ({@link RefutationChoice}), so the subdomain's parts, when the refinement
     * splits it, refute the same constraint (not the one closest to refuted on each part).
     */
    record Refutation(LinearConstraint constraint, double lowerGap, double scale, boolean pinned) {

        Refutation(LinearConstraint constraint, double lowerGap, double scale) {
            this(constraint, lowerGap, scale, false);
        }

        /** The same refutation, pinned. */
        Refutation pin() {
            return new Refutation(constraint, lowerGap, scale, true);
        }

        /**
         * How far {@code a · y} must stay above the bound: the relative {@code clearance} of the output scale
         * plus the constraint's scale, and twice the rounding allowance of float32 evaluation at that scale.
         */
        double required(double clearance, double outScale) {
            return clearance * (outScale + scale) + 2 * Bounds.roundingAllowance(scale);
        }
    }

    boolean contains(double[] x) {
        for (int i = 0; i < x.length; i++) {
            if (x[i] < lo[i] || x[i] > hi[i]) {
                return false;
            }
        }
        return true;
    }

    Box box() {
        return new Box(lo, hi);
    }

    /** The smallest lower gap over the conjunctions: how close the original's bounds come to refuting them all. */
    double bottleneck() {
        double w = Double.POSITIVE_INFINITY;
        for (Refutation c : refutations) {
            w = Math.min(w, c.lowerGap());
        }
        return w;
    }

    /** True when some conjunction is not refuted by the original network's bounds with room to spare. */
    boolean needy(double clearance, double outScale) {
        for (Refutation c : refutations) {
            if (c.lowerGap() < 2 * c.required(clearance, outScale)) {
                return true;
            }
        }
        return false;
    }

    /** The same subdomain with {@code r} as the refutation of its conjunction {@code k}. */
    Subdomain choosing(int k, Refutation r) {
        Refutation[] ch = refutations.clone();
        ch[k] = r;
        return new Subdomain(goal, lo, hi, depth, hiddenLo, hiddenHi, ch, looseness, influence, bounds, parent);
    }

    /**
     * This subdomain as {@code parent}'s child in the tree, with hidden bounds intersected and lower gaps no worse; a
     * conjunction the parent refutes through a pinned constraint is refuted through the same one on the child.
     */
    Subdomain within(Subdomain parent) {
        double[] hl = hiddenLo.clone();
        double[] hu = hiddenHi.clone();
        for (int i = 0; i < hl.length; i++) {
            hl[i] = Math.max(hl[i], parent.hiddenLo()[i]);
            hu[i] = Math.min(hu[i], parent.hiddenHi()[i]);
            if (hl[i] > hu[i]) { // cannot happen for sound bounds beyond rounding
                double m = 0.5 * (hl[i] + hu[i]);
                hl[i] = m;
                hu[i] = m;
            }
        }
        Refutation[] ch = refutations.clone();
        for (int k = 0; k < ch.length; k++) {
            Refutation p = parent.refutations()[k];
            if (p.pinned()) {
                ch[k] = new Refutation(p.constraint(), Math.max(p.lowerGap(), ownGap(p.constraint())), p.scale(), true);
            } else if (p.lowerGap() > ch[k].lowerGap()) { // the parent's bound holds on the child too
                ch[k] = p;
            }
        }
        return new Subdomain(goal, lo, hi, depth, hl, hu, ch, looseness, influence, bounds, parent);
    }

    /** The lower bound of {@code a·y - bound} by this subdomain's own bounds ({@code -∞} without them). */
    private double ownGap(LinearConstraint c) {
        if (bounds == null) {
            return Double.NEGATIVE_INFINITY;
        }
        return bounds.lowerBound(c.coefficients(), new double[lo.length], new double[lo.length]) - c.bound();
    }
}
