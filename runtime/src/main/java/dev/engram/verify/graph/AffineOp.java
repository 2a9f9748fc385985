package dev.engram.verify.graph;

/** A bound operator that is a {@link SparseAffine} map of its one argument: the affine operators share this. */
abstract class AffineOp implements BoundOp {
    final SparseAffine map;

    AffineOp(SparseAffine map) {
        this.map = map;
    }

    @Override
    public final int size() {
        return map.out;
    }

    @Override
    public final void interval(Range[] args, double[] lo, double[] hi) {
        map.interval(args[0], lo, hi);
    }

    @Override
    public final double[] error(Range[] args) {
        return map.error(args[0]);
    }

    @Override
    public final void backward(double[][] a, Range[] args, double[][][] argA, Backward pass) {
        map.backward(a, argA[0], pass);
    }

    /** The map at each point {@code xs[r]} in double (for linearisation points, {@link SparseAffine#apply}). */
    double[][] apply(double[][] xs) {
        return map.apply(xs);
    }
}
