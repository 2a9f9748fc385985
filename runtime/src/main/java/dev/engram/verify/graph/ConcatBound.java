package dev.engram.verify.graph;

import dev.engram.model.dag.Concat;

/**
 * {@code Concat}: each result element is one element of one argument (outer index {@code b}, then one block per
 * argument). Exact in float32 (a copy); exact relaxation.
 */
final class ConcatBound implements BoundOp {
    private final int[] arg; // per result element: the argument
    private final int[] elem; // per result element: the element of that argument

    ConcatBound(Concat op) {
        int[] blocks = op.blocks();
        int n = op.shape().size();
        arg = new int[n];
        elem = new int[n];
        int o = 0;
        for (int b = 0; b < op.outer(); b++) {
            for (int i = 0; i < blocks.length; i++) {
                for (int j = 0; j < blocks[i]; j++, o++) {
                    arg[o] = i;
                    elem[o] = b * blocks[i] + j;
                }
            }
        }
    }

    @Override
    public String type() {
        return "Concat";
    }

    @Override
    public int size() {
        return arg.length;
    }

    @Override
    public void interval(Range[] args, double[] lo, double[] hi) {
        for (int f = 0; f < arg.length; f++) {
            lo[f] = args[arg[f]].lo()[elem[f]];
            hi[f] = args[arg[f]].hi()[elem[f]];
        }
    }

    @Override
    public double[] error(Range[] args) {
        return null;
    }

    @Override
    public void backward(double[][] a, Range[] args, double[][][] argA, Backward pass) {
        for (int r = 0; r < a.length; r++) {
            for (int f = 0; f < arg.length; f++) {
                argA[arg[f]][r][elem[f]] += a[r][f];
            }
        }
    }
}
