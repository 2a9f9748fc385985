package dev.engram.model.dag;

import java.util.Arrays;

/**
 * Where a sliding window (a convolution kernel or a pooling window) reads, over one or two spatial dimensions
 * (1-D ones as height 1): input size, kernel, strides, dilations, pads at the start and end, and the output size
 * they give. The input value is {@code [N, C, (H,) W]}.
 */
public record Window(int inH, int inW, int kH, int kW, int sH, int sW, int dH, int dW, int padT, int padL,
                     int padB, int padR, int outH, int outW, boolean oneD) {

    /** Output positions per channel. */
    public int positions() {
        return outH * outW;
    }

    /** Input row read by output row {@code oh} at kernel row {@code kh} (may lie in the padding). */
    public int row(int oh, int kh) {
        return oh * sH - padT + kh * dH;
    }

    /** Input column read by output column {@code ow} at kernel column {@code kw} (may lie in the padding). */
    public int col(int ow, int kw) {
        return ow * sW - padL + kw * dW;
    }

    /** The shape {@code [n, c, (outH,) outW]} of a result. */
    public Shape output(int n, int c) {
        return oneD ? Shape.of(n, c, outW) : Shape.of(n, c, outH, outW);
    }

    /** A window covering the whole input (the global pools). */
    static Window global(OpReader r, Shape x) {
        boolean oneD = spatial(r, x) == 1;
        int h = oneD ? 1 : x.dim(2);
        int w = x.dim(x.rank() - 1);
        return new Window(h, w, h, w, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, oneD);
    }

    /**
     * Reads {@code strides}, {@code dilations}, {@code pads}, {@code auto_pad} and (for pools) {@code ceil_mode} for
     * a kernel of the given spatial size on input {@code x}.
     */
    static Window read(OpReader r, Shape x, long[] kernel, boolean pool) {
        int rank = spatial(r, x);
        if (kernel.length != rank) {
            throw r.error("kernel " + Arrays.toString(kernel) + " does not match the input " + x);
        }
        long[] strides = ints(r, "strides", rank, 1);
        long[] dil = ints(r, "dilations", rank, 1);
        long[] pads = ints(r, "pads", 2 * rank, 0);
        String autoPad = r.stringAttr("auto_pad", "NOTSET");
        boolean ceil = pool && r.intAttrIn("ceil_mode", 0, 0, 1) == 1;
        int[] in = new int[rank];
        int[] out = new int[rank];
        int[] begin = new int[rank];
        int[] end = new int[rank];
        for (int a = 0; a < rank; a++) {
            in[a] = x.dim(2 + a);
            if (kernel[a] < 1 || strides[a] < 1 || dil[a] < 1 || pads[a] < 0 || pads[a + rank] < 0
                    || kernel[a] > Integer.MAX_VALUE || strides[a] > Integer.MAX_VALUE || dil[a] > Integer.MAX_VALUE
                    || pads[a] > Integer.MAX_VALUE || pads[a + rank] > Integer.MAX_VALUE) {
                throw r.error("kernel " + Arrays.toString(kernel) + ", strides " + Arrays.toString(strides)
                        + ", dilations " + Arrays.toString(dil) + " or pads " + Arrays.toString(pads)
                        + " out of range");
            }
            long eff = (kernel[a] - 1) * dil[a] + 1;
            long o;
            long b = pads[a];
            long e = pads[a + rank];
            switch (autoPad) {
                case "NOTSET" -> o = outSize(in[a] + b + e - eff, strides[a], ceil, in[a] + b);
                case "VALID" -> {
                    b = 0;
                    e = 0;
                    o = outSize(in[a] - eff, strides[a], ceil, in[a]);
                }
                case "SAME_UPPER", "SAME_LOWER" -> {
                    o = (in[a] + strides[a] - 1) / strides[a];
                    long total = Math.max(0, (o - 1) * strides[a] + eff - in[a]);
                    b = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    e = total - b;
                }
                default -> throw r.error("auto_pad '" + autoPad + "' is not supported");
            }
            if (o < 1 || b > Integer.MAX_VALUE || e > Integer.MAX_VALUE) {
                throw r.error("the window (kernel " + Arrays.toString(kernel) + ", dilations " + Arrays.toString(dil)
                        + ") does not fit the input " + x + " with pads " + Arrays.toString(pads));
            }
            out[a] = (int) Math.min(o, Integer.MAX_VALUE);
            begin[a] = (int) b;
            end[a] = (int) e;
        }
        r.checked("output", new long[] {x.dim(0), x.dim(1), out[0], rank == 2 ? out[1] : 1});
        if (rank == 1) {
            return new Window(1, in[0], 1, (int) kernel[0], 1, (int) strides[0], 1, (int) dil[0], 0, begin[0], 0,
                    end[0], 1, out[0], true);
        }
        return new Window(in[0], in[1], (int) kernel[0], (int) kernel[1], (int) strides[0], (int) strides[1],
                (int) dil[0], (int) dil[1], begin[0], begin[1], end[0], end[1], out[0], out[1], false);
    }

    /**
     * Positions of a window of stride {@code s} over {@code span + 1} starts (span = padded input minus the
     * window); with {@code ceil} a last partial window counts, unless it would start in the end padding.
     */
    private static long outSize(long span, long s, boolean ceil, long startLimit) {
        // ceil mode (as ONNX Runtime): a window may start inside the input and run past it even when it is longer
        // than the padded input (span < 0), e.g. kernel 2, stride 2 over one value
        long o = (ceil ? Math.floorDiv(span + s - 1, s) : Math.floorDiv(span, s)) + 1;
        if (o < 0) {
            return 0;
        }
        if (ceil && (o - 1) * s >= startLimit) {
            o--;
        }
        return o;
    }

    /** The number of spatial dimensions of {@code [N, C, ...]}: 1 or 2. */
    private static int spatial(OpReader r, Shape x) {
        int rank = x.rank() - 2;
        if (rank < 1 || rank > 2) {
            throw r.error(r.node().opType() + " over " + rank + " spatial dimensions (input " + x + ") is not supported;"
                    + " 1 or 2 are");
        }
        return rank;
    }

    private static long[] ints(OpReader r, String name, int n, long dflt) {
        long[] v = r.intsAttr(name, null);
        if (v == null) {
            v = new long[n];
            Arrays.fill(v, dflt);
        }
        if (v.length != n) {
            throw r.error(name + " " + Arrays.toString(v) + " should have " + n + " values");
        }
        return v;
    }
}
