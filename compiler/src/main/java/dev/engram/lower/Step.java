package dev.engram.lower;

import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;

/**
 * One obligation's lowering: the network before and after, what changed (measured alike for every lowering), the
 * time, the pass that lowered it (null for a property that is only checked) and the pass's own record.
 */
public record Step(Obligation obligation, DenseNetwork before, DenseNetwork after, Changes changes, double seconds,
                   Lowering by, Lowering.Detail detail) {

    public Step(Obligation obligation, DenseNetwork before, DenseNetwork after, double seconds, Lowering by,
                Lowering.Detail detail) {
        this(obligation, before, after, Changes.between(before, after), seconds, by, detail);
    }

    /** A property to check: nothing is lowered. */
    public static Step unchanged(Obligation obligation, DenseNetwork net) {
        return new Step(obligation, net, net, Changes.none(), 0, null, null);
    }

    /** The guard's output correction, empty for other lowerings. */
    public double[] correction() {
        return detail == null ? new double[0] : detail.correction();
    }
}
