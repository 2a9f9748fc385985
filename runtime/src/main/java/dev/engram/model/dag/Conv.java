package dev.engram.model.dag;

import dev.engram.model.kernel.PackedMatrix;

import java.util.Arrays;

/**
 * {@code Conv} over one or two spatial dimensions, with strides, pads ({@code auto_pad} too), dilations and groups.
 * Per group and block of output positions, the input patches are gathered ({@code [K][positions x lanes]}, K = input
 * channels of the group x kernel size) and multiplied by the group's kernel matrix ({@code [out channels][K]}) on the
 * shared matrix kernel, bias and an optional ReLU included.
 */
public final class Conv implements ReluEpilogue {
    /** Columns per patch block: enough for a whole vector block even with one sample per tile. */
    private static final int COLUMNS = 64;

    private final Shape in;
    private final Shape shape;
    private final Window window;
    private final int group;
    private final float[] weight; // [cout][cin/group][kH][kW]
    private final float[] bias; // [cout] or null
    private final PackedMatrix[] kernels; // per group: [cout/group][K]

    /** A convolution of input {@code in} ({@code [N, C, (H,) W]}) with {@code weight} {@code [cout][C/group][kH][kW]}. */
    public Conv(Shape in, Window window, int group, int cout, float[] weight, float[] bias) {
        int cin = in.dim(1);
        if (group < 1 || cin % group != 0 || cout % group != 0) {
            throw new IllegalArgumentException(group + " groups for " + cin + " -> " + cout + " channels");
        }
        int k = cin / group * window.kH() * window.kW();
        if (weight.length != cout * k || (bias != null && bias.length != cout)) {
            throw new IllegalArgumentException("weights do not match the convolution");
        }
        this.in = in;
        this.window = window;
        this.group = group;
        this.weight = weight.clone();
        this.bias = bias == null ? null : bias.clone();
        this.shape = window.output(in.dim(0), cout);
        int cg = cout / group;
        kernels = new PackedMatrix[group];
        for (int g = 0; g < group; g++) {
            kernels[g] = PackedMatrix.of(Arrays.copyOfRange(weight, g * cg * k, (g + 1) * cg * k), cg, k,
                    bias == null ? null : Arrays.copyOfRange(bias, g * cg, (g + 1) * cg));
        }
    }

    static Op read(OpReader r) {
        r.inputs(2, 3);
        Shape x = r.data(0);
        Shape w = r.shape(1);
        float[] weight = r.floats(1);
        if (x.rank() < 3 || w.rank() != x.rank()) {
            throw r.error("input " + x + " and kernel " + w + " do not make a convolution");
        }
        long[] kernel = new long[w.rank() - 2];
        for (int a = 0; a < kernel.length; a++) {
            kernel[a] = w.dim(2 + a);
        }
        long[] declared = r.intsAttr("kernel_shape", null);
        if (declared != null && !Arrays.equals(declared, kernel)) {
            throw r.error("kernel_shape " + Arrays.toString(declared) + " does not match the weights " + w);
        }
        long group = r.intAttr("group", 1);
        int cout = w.dim(0);
        if (group < 1 || x.dim(1) % group != 0 || cout % group != 0 || w.dim(1) != x.dim(1) / group) {
            throw r.error("weights " + w + " with group=" + group + " do not fit input channels " + x.dim(1));
        }
        float[] bias = null;
        if (r.has(2)) {
            bias = r.floats(2);
            if (bias.length != cout) {
                throw r.error("bias has " + bias.length + " values for " + cout + " output channels");
            }
        }
        Window win = Window.read(r, x, kernel, false);
        return new Conv(x, win, (int) group, cout, weight, bias);
    }

    public Shape input() {
        return in;
    }

    /** Floats of scratch per lane of a tile: one input patch (input channels of a group x kernel size). */
    public int patchPerLane() {
        return in.dim(1) / group * window.kH() * window.kW();
    }

    public Window window() {
        return window;
    }

    public int group() {
        return group;
    }

    /** The kernel, {@code [cout][cin/group][kH][kW]} (a copy). */
    public float[] weight() {
        return weight.clone();
    }

    /** The bias per output channel (a copy), or null. */
    public float[] bias() {
        return bias == null ? null : bias.clone();
    }

    /** This convolution with output channel o's kernel scaled by {@code scale[o]} (null: 1) and bias {@code bias}. */
    public Conv with(float[] scale, float[] bias) {
        float[] w = weight.clone();
        if (scale != null) {
            int per = w.length / scale.length;
            for (int i = 0; i < w.length; i++) {
                w[i] *= scale[i / per];
            }
        }
        return new Conv(in, window, group, shape.dim(1), w, bias);
    }

    @Override
    public String type() {
        return "Conv";
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public String describe() {
        Window w = window;
        return (w.oneD() ? "" : w.kH() + "x") + w.kW() + " /" + (w.oneD() ? "" : w.sH() + ",") + w.sW()
                + " pad " + (w.oneD() ? "" : w.padT() + ",") + w.padL() + (w.dH() * w.dW() > 1 ? " dil" : "")
                + (group > 1 ? " groups " + group : "") + ", " + in.dim(1) + "->" + shape.dim(1);
    }

    @Override
    public void forward(float[][] args, float[] out, int lanes, Scratch scratch, boolean relu) {
        float[] x = args[0];
        int c = in.dim(1);
        int cg = c / group;
        int coutG = shape.dim(1) / group;
        int positions = window.positions();
        int k = patchPerLane();
        int block = Math.max(1, COLUMNS / lanes);
        float[] patch = scratch.floats(k * block * lanes);
        for (int n = 0; n < in.dim(0); n++) {
            for (int g = 0; g < group; g++) {
                int xc = (n * c + g * cg) * window.inH() * window.inW();
                int yo = (n * shape.dim(1) + g * coutG) * positions * lanes;
                for (int p0 = 0; p0 < positions; p0 += block) {
                    int np = Math.min(block, positions - p0);
                    gather(x, xc, cg, p0, np, lanes, patch);
                    kernels[g].apply(patch, 0, np * lanes, out, yo + p0 * lanes, positions * lanes, np * lanes,
                            relu, scratch.tail());
                }
            }
        }
    }

    /** Input patches of positions [p0, p0 + np) as {@code patch[k][j * lanes + s]}, zeros in the padding. */
    private void gather(float[] x, int xc, int cg, int p0, int np, int lanes, float[] patch) {
        Window w = window;
        int row = np * lanes;
        int k = 0;
        for (int ci = 0; ci < cg; ci++) {
            int xci = xc + ci * w.inH() * w.inW();
            for (int kh = 0; kh < w.kH(); kh++) {
                for (int kw = 0; kw < w.kW(); kw++, k++) {
                    for (int j = 0; j < np; j++) {
                        int p = p0 + j;
                        int ih = w.row(p / w.outW(), kh);
                        int iw = w.col(p % w.outW(), kw);
                        int dst = k * row + j * lanes;
                        if (ih >= 0 && ih < w.inH() && iw >= 0 && iw < w.inW()) {
                            System.arraycopy(x, (xci + ih * w.inW() + iw) * lanes, patch, dst, lanes);
                        } else {
                            Arrays.fill(patch, dst, dst + lanes, 0f);
                        }
                    }
                }
            }
        }
    }
}
