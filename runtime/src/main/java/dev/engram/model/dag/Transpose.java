package dev.engram.model.dag;

import java.util.Arrays;

/** {@code Transpose}: result dimension k is argument dimension {@code perm[k]} (reversed when perm is absent). */
public final class Transpose extends Relayout {
    private final int[] perm;

    private Transpose(Shape shape, int[] source, int[] perm) {
        super(shape, source, 0f);
        this.perm = perm;
    }

    static Op read(OpReader r) {
        r.inputs(1, 1);
        Shape in = r.data(0);
        int rank = in.rank();
        long[] p = r.intsAttr("perm", null);
        int[] perm = new int[rank];
        boolean[] seen = new boolean[rank];
        if (p != null && p.length != rank) {
            throw r.error("perm " + Arrays.toString(p) + " is not a permutation of " + rank + " axes");
        }
        for (int k = 0; k < rank; k++) {
            long a = p == null ? rank - 1 - k : p[k];
            if (a < 0 || a >= rank || seen[(int) a]) {
                throw r.error("perm " + Arrays.toString(p) + " is not a permutation of " + rank + " axes");
            }
            seen[(int) a] = true;
            perm[k] = (int) a;
        }
        int[] d = new int[rank];
        for (int k = 0; k < rank; k++) {
            d[k] = in.dim(perm[k]);
        }
        Shape out = new Shape(d);
        int[] inStride = strides(in);
        int[] src = new int[out.size()];
        int[] idx = new int[rank];
        for (int f = 0; f < src.length; f++) {
            int s = 0;
            for (int k = 0; k < rank; k++) {
                s += idx[k] * inStride[perm[k]];
            }
            src[f] = s;
            for (int k = rank - 1; k >= 0 && ++idx[k] == d[k]; k--) {
                idx[k] = 0;
            }
        }
        return new Transpose(out, src, perm);
    }

    public int[] perm() {
        return perm.clone();
    }

    @Override
    public String type() {
        return "Transpose";
    }

    @Override
    public String describe() {
        return "perm " + Arrays.toString(perm);
    }
}
