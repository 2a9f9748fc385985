package dev.engram.ir;

import dev.engram.source.Span;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.Property;
import dev.engram.verify.monotone.Monotonicity;

import java.util.Arrays;

/**
 * One unit of work in the compiler's IR, in <em>model units</em>: something to write into the weights (and then
 * prove), or a property to check on the result. Built from rule text ({@code ProgramToIr}), from a
 * VNN-LIB file, or directly by the Java API through the static factories below, so both paths share every later
 * stage.
 */
public sealed interface Obligation permits Obligation.Enforce, Obligation.Invariance, Obligation.Steer,
        Obligation.Check, Obligation.ConceptRule, Obligation.Erase, Obligation.ConceptSteer, Obligation.Monotone {

    /** The rule's name (reports, diagnostics). */
    String name();

    /** Where the rule was written ({@link Span#NONE} for API-built obligations). */
    Span span();

    /** What kind of statement this is, for reports: rule, ignore, steer or property. */
    String kind();

    /** How it is carried out, for reports: guard, repair, invariance, steering or verify. */
    String how();

    /** How an {@link Enforce} obligation is lowered. */
    enum Strategy {
        /** Exact guard units (KBANN-style) on a widened network. */
        GUARD,
        /** Minimal changes to existing weights, iterated with the verifier; the architecture is kept. */
        REPAIR,
        /**
         * Local repair: the output layer's least change after which the rule's region (one input, or a small box
         * around one) is classified as the rule's label; for classification properties only (VNN-LIB's robustness
         * form, {@code Y_j >= Y_label} unsafe for every other {@code j}).
         */
        LOCAL,
        /**
         * The compiler chooses, in order of fidelity and cost: the guard where the network allows it (outputs
         * bit-identical outside the dilated region, milliseconds), else the repair.
         */
        AUTO
    }

    /**
     * Over {@code property.region()} the outputs must stay out of {@code property.unsafe()}.
     *
     * @param dilation how far the guard's region reaches beyond the rule's box, per input (model units): outside the
     *                 box dilated by it the outputs are unchanged; only used by {@link Strategy#GUARD} (and by
     *                 {@link Strategy#AUTO} when it chooses the guard)
     */
    record Enforce(String name, Span span, Property property, Strategy strategy, double[] dilation)
            implements Obligation {
        public Enforce {
            if (property.region().boxes().size() != 1) {
                throw new IllegalArgumentException(name + ": one box per obligation; split the region first");
            }
            dilation = dilation == null ? null : dilation.clone();
        }

        @Override
        public String kind() {
            return "rule";
        }

        @Override
        public String how() {
            return strategy.name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The single box of the region. */
        public Box box() {
            return property.region().boxes().get(0);
        }

        /** This obligation lowered with {@code s} (the dilation is dropped for a repair). */
        public Enforce with(Strategy s) {
            return new Enforce(name, span, property, s, s == Strategy.REPAIR || s == Strategy.LOCAL ? null : dilation);
        }

        /** The box dilated by {@link #dilation()} (the box itself when there is none). */
        public Box dilatedBox() {
            Box b = box();
            if (dilation == null) {
                return b;
            }
            double[] lo = b.lo().clone();
            double[] hi = b.hi().clone();
            for (int i = 0; i < lo.length; i++) {
                lo[i] -= dilation[i];
                hi[i] += dilation[i];
            }
            return new Box(lo, hi);
        }
    }

    /**
     * The outputs must not depend on the input slots {@code slots} (one slot for a real input, a whole one-hot
     * block for a categorical one); {@code expected[k]} is the value slot {@code slots[k]} is replaced by.
     */
    record Invariance(String name, Span span, String input, int[] slots, double[] expected) implements Obligation {
        public Invariance {
            slots = slots.clone();
            expected = expected.clone();
            if (slots.length == 0 || slots.length != expected.length) {
                throw new IllegalArgumentException(name + ": " + slots.length + " slots but " + expected.length
                        + " expected values");
            }
        }

        @Override
        public String kind() {
            return "ignore";
        }

        @Override
        public String how() {
            return "invariance";
        }

        @Override
        public String toString() {
            return "Invariance[" + name + ", slots " + Arrays.toString(slots) + "]";
        }
    }

    /**
     * Add {@code shift} to the bias of dense layer {@code layer} (0-based; the last layer shifts the outputs
     * directly): output steering, or steering a hidden layer toward a direction.
     */
    record Steer(String name, Span span, int layer, double[] shift) implements Obligation {
        public Steer {
            shift = shift.clone();
        }

        @Override
        public String kind() {
            return "steer";
        }

        @Override
        public String how() {
            return "steering";
        }
    }

    /**
     * {@code monotone OUTPUTS increasing|decreasing in INPUT [over P]} on one box of its region, in model units
     * ({@code property}: the objective's sign already says "non-decreasing"). Checked first; where it does not hold
     * it is enforced on the last layer's weights (the monotone lowering). {@code input} is the input's name, for
     * reports.
     */
    record Monotone(String name, Span span, Monotonicity property, String input) implements Obligation {
        @Override
        public String kind() {
            return "monotone";
        }

        @Override
        public String how() {
            return "monotone";
        }
    }

    /** A property that is only verified on the compiled model, never enforced. */
    record Check(String name, Span span, Property property) implements Obligation {
        @Override
        public String kind() {
            return "property";
        }

        @Override
        public String how() {
            return "verify";
        }
    }

    /**
     * {@code rule NAME: when CONCEPT then CONSEQUENT}: wherever the model's code says the learned concept holds, the
     * outputs must stay out of {@code consequent.unsafe()} (model units, margin already applied). Lowered through the
     * dictionary by a rank-one (ROME-style) edit of the dense layer that reads {@code code.layer()}, jointly (MEMIT
     * form) with the other concept rules of that layer. No region exists for a concept defined by examples: the
     * result is measured on {@code evidence} against {@code policy}, and reported as measured, never as proved.
     * When the premise also has input conditions ({@code when C and x > 1}, directly or through a defined concept),
     * {@code formal} holds one property per premise case with conditions: its region is what the conditions allow,
     * its unsafe set the consequent's; the verifier proves it on the written model, and the verdict is reported
     * beside the measurement (empty when the premise is the concept alone).
     */
    record ConceptRule(String name, Span span, ConceptCode code, Property consequent, ConceptEvidence evidence,
                       ConceptPolicy policy, java.util.List<Property> formal) implements Obligation {
        public ConceptRule {
            formal = java.util.List.copyOf(formal);
        }

        public ConceptRule(String name, Span span, ConceptCode code, Property consequent, ConceptEvidence evidence,
                           ConceptPolicy policy) {
            this(name, span, code, consequent, evidence, policy, java.util.List.of());
        }

        @Override
        public String kind() {
            return "rule";
        }

        @Override
        public String how() {
            return "concept edit";
        }
    }

    /**
     * {@code erase CONCEPT at layer L}: the concept's linear code is removed from layer {@code code.layer()} in the
     * LEACE form (the class-conditional means made equal with the least change in the covariance norm), folded into
     * the next dense layer's weights and bias. Measured by fresh probes on {@code evidence}.
     */
    record Erase(String name, Span span, ConceptCode code, ConceptEvidence evidence, ConceptPolicy policy)
            implements Obligation {
        @Override
        public String kind() {
            return "erase";
        }

        @Override
        public String how() {
            return "erasure";
        }
    }

    /**
     * {@code steer toward CONCEPT at layer L strength S}: layer {@code code.layer()}'s activations move by
     * {@code strength × (positive mean − negative mean)} (strength 1 moves the average concept-negative activation to
     * the average concept-positive one), folded into the next dense layer's bias.
     */
    record ConceptSteer(String name, Span span, ConceptCode code, double strength, ConceptEvidence evidence,
                        ConceptPolicy policy) implements Obligation {
        @Override
        public String kind() {
            return "steer";
        }

        @Override
        public String how() {
            return "concept steering";
        }
    }

    // ------------------------------------------------------------------ the Java API

    /** The guard's default dilation: this fraction of each input's width (of the domain, or of the rule's box). */
    double DEFAULT_DILATION = 0.01;

    /** Enforce {@code property} with exact guard units, dilated by {@code fraction} of each input's box width. */
    static Enforce guard(String name, Property property, double fraction) {
        return new Enforce(name, Span.NONE, property, Strategy.GUARD,
                dilation(property.region().boxes().get(0), fraction));
    }

    /** A guard's dilation: {@code fraction} of the width of {@code box} per input (at least 1e-6). */
    static double[] dilation(Box box, double fraction) {
        double[] d = new double[box.dimension()];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.max(1e-6, fraction * (box.hi()[i] - box.lo()[i]));
        }
        return d;
    }

    /** Enforce {@code property} by repairing existing weights (no new units). */
    static Enforce repair(String name, Property property) {
        return new Enforce(name, Span.NONE, property, Strategy.REPAIR, null);
    }

    /** Over {@code region} the outputs must stay out of {@code property}'s unsafe set, written as one value. */
    static Property property(String name, Box region, java.util.List<java.util.List<dev.engram.verify.LinearConstraint>> unsafe) {
        return new Property(name, InputRegion.of(region), unsafe);
    }

    /** The outputs must not depend on {@code slots}, each replaced by its expected value. */
    static Invariance ignore(String name, int[] slots, double[] expected) {
        return new Invariance(name, Span.NONE, name, slots, expected);
    }

    /** Shift the outputs by {@code shift} (a bias delta on the output layer); {@code layers} is the layer count. */
    static Steer shiftOutputs(String name, int layers, double[] shift) {
        return new Steer(name, Span.NONE, layers - 1, shift);
    }

    /** Add {@code strength * direction} to the bias of hidden layer {@code layer}. */
    static Steer steer(String name, int layer, double[] direction, double strength) {
        double[] s = new double[direction.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = strength * direction[i];
        }
        return new Steer(name, Span.NONE, layer, s);
    }

    /** Verify {@code property} on the compiled model. */
    static Check check(String name, Property property) {
        return new Check(name, Span.NONE, property);
    }
}
