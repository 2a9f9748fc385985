package dev.engram.model.dag;

import java.util.Arrays;

/**
 * {@code Pad} in mode {@code constant}, {@code reflect}, {@code edge} or {@code wrap}; pads given as an attribute
 * (before opset 11) or a constant input, optional {@code axes}; negative pads crop (in constant mode only).
 */
public final class Pad extends Relayout {
    private final String mode;
    private final long[] pads;

    private Pad(Shape shape, int[] source, float fill, String mode, long[] pads) {
        super(shape, source, fill);
        this.mode = mode;
        this.pads = pads;
    }

    static Op read(OpReader r) {
        r.inputs(1, 4);
        Shape in = r.data(0);
        int rank = in.rank();
        String mode = r.stringAttr("mode", "constant");
        if (!Arrays.asList("constant", "reflect", "edge", "wrap").contains(mode)) {
            throw r.error("mode '" + mode + "' is not supported");
        }
        long[] given = r.has(1) ? r.longs(1) : r.intsAttr("pads", null);
        if (given == null) {
            throw r.error("Pad needs pads");
        }
        float fill = r.floatAttr("value", 0f);
        if (r.has(2)) {
            float[] v = r.floats(2);
            if (v.length != 1) {
                throw r.error("constant_value must be one value");
            }
            fill = v[0];
        }
        int[] axes = new int[rank];
        if (r.has(3)) {
            long[] a = r.longs(3);
            axes = new int[a.length];
            for (int i = 0; i < a.length; i++) {
                axes[i] = r.axis(a[i], rank, "axis");
            }
        } else {
            for (int i = 0; i < rank; i++) {
                axes[i] = i;
            }
        }
        if (given.length != 2 * axes.length) {
            throw r.error("pads " + Arrays.toString(given) + " should have " + 2 * axes.length + " values");
        }
        long[] pads = new long[2 * rank];
        long[] dims = new long[rank];
        for (int i = 0; i < axes.length; i++) {
            pads[axes[i]] = given[i];
            pads[axes[i] + rank] = given[i + axes.length];
        }
        for (int k = 0; k < rank; k++) {
            dims[k] = in.dim(k) + pads[k] + pads[k + rank];
            boolean bad = dims[k] < 1 || (!mode.equals("constant") && (pads[k] < 0 || pads[k + rank] < 0))
                    || (mode.equals("reflect") && (pads[k] >= in.dim(k) || pads[k + rank] >= in.dim(k)));
            if (bad) {
                throw r.error("pads " + Arrays.toString(given) + " in mode " + mode + " do not fit the input " + in);
            }
        }
        Shape out = r.checked("result", dims);
        if (out.equals(in) && Arrays.stream(pads).allMatch(p -> p == 0)) {
            return new Reshape("Pad", in); // pads of zero (exporters write them): nothing moves
        }
        return new Pad(out, map(in, out, pads, mode), fill, mode, pads);
    }

    /** The index map of a pad: per result element, the input element or -1. */
    private static int[] map(Shape in, Shape out, long[] pads, String mode) {
        int rank = in.rank();
        int[] stride = strides(in);
        int[] src = new int[out.size()];
        int[] idx = new int[rank];
        for (int f = 0; f < src.length; f++) {
            int s = 0;
            for (int k = 0; k < rank && s >= 0; k++) {
                int i = source(idx[k] - (int) pads[k], in.dim(k), mode);
                s = i < 0 ? -1 : s + i * stride[k];
            }
            src[f] = s;
            for (int k = rank - 1; k >= 0 && ++idx[k] == out.dim(k); k--) {
                idx[k] = 0;
            }
        }
        return src;
    }

    /** The input index read at position {@code i} (before padding) of an axis of size n, or -1 for the fill. */
    private static int source(int i, int n, String mode) {
        if (i >= 0 && i < n) {
            return i;
        }
        return switch (mode) {
            case "edge" -> i < 0 ? 0 : n - 1;
            case "wrap" -> Math.floorMod(i, n);
            case "reflect" -> i < 0 ? -i : 2 * (n - 1) - i;
            default -> -1;
        };
    }

    @Override
    public String type() {
        return "Pad";
    }

    @Override
    public String describe() {
        return mode + " " + Arrays.toString(pads);
    }
}
