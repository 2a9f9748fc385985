package dev.engram.model.dag;

/** Folds an operator into the one before it, wherever a rule allows, until none does. */
final class Folding {

    /** A fold of {@code consumer} (reading only the producer's result) into {@code producer}, or null. */
    interface Rule {
        Op fold(Op producer, Op consumer);
    }

    private Folding() {
    }

    static Dag apply(Dag dag, Rule rule) {
        int k = 0;
        while (k < dag.nodes().size()) {
            Dag.Node c = dag.nodes().get(k);
            int p = c.arity() == 1 ? c.arg(0) : -1;
            Dag.Node pn = p < 0 ? null : dag.producer(p);
            Op merged = pn == null || dag.uses()[p] != 1 ? null : rule.fold(pn.op(), c.op());
            if (merged == null) {
                k++;
            } else {
                dag = dag.fuse(p, dag.inputs().size() + k, merged);
                k--; // the merged node moved down by one; look at it again
            }
        }
        return dag;
    }

    /** Values per output channel (axis 1 of {@code shape}, or the last axis when {@code last}) of a per-element array;
     * null when they differ within a channel. */
    static float[] perChannel(float[] perElement, Shape shape, boolean last) {
        int axis = last ? shape.rank() - 1 : 1;
        if (shape.rank() <= axis) {
            return null;
        }
        int c = shape.dim(axis);
        int inner = shape.sizeFrom(axis + 1);
        float[] out = new float[c];
        boolean[] seen = new boolean[c];
        for (int f = 0; f < perElement.length; f++) {
            int ch = (f / inner) % c;
            if (!seen[ch]) {
                out[ch] = perElement[f];
                seen[ch] = true;
            } else if (Float.floatToRawIntBits(out[ch]) != Float.floatToRawIntBits(perElement[f])) {
                return null;
            }
        }
        return out;
    }
}
