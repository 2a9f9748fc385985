package dev.engram.lower;

import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;

/**
 * One obligation's lowering: the network before and after, what changed (measured alike for every lowering), the
 * time, the pass that lowered it (null for a property that is only checked), the pass's own record, and — when the
 * compiler chose the lowering ({@code Strategy.AUTO}) — why ({@code choice}, empty otherwise).
 */
public record Step(Obligation obligation, DenseNetwork before, DenseNetwork after, Changes changes, double seconds,
                   Lowering by, Lowering.Detail detail, String choice) {

    public Step(Obligation obligation, DenseNetwork before, DenseNetwork after, Changes changes, double seconds,
                Lowering by, Lowering.Detail detail) {
        this(obligation, before, after, changes, seconds, by, detail, "");
    }

    public Step(Obligation obligation, DenseNetwork before, DenseNetwork after, double seconds, Lowering by,
                Lowering.Detail detail) {
        this(obligation, before, after, Changes.between(before, after), seconds, by, detail);
    }

    /** A property to check: nothing is lowered. */
    public static Step unchanged(Obligation obligation, DenseNetwork net) {
        return new Step(obligation, net, net, Changes.none(), 0, null, null);
    }

    /** This step with the reason the lowering was chosen. */
    public Step withChoice(String why) {
        return new Step(obligation, before, after, changes, seconds, by, detail, why);
    }

    /** The guard's output correction, empty for other lowerings. */
    public double[] correction() {
        return detail == null ? new double[0] : detail.correction();
    }
}
