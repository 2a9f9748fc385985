package dev.engram.model.dag;

import dev.engram.model.kernel.Kernels;

import java.util.Arrays;

/** A pooling operator: per channel, one value from each window of the input ({@link Window}). */
public abstract class Pool implements Op {
    /** Whether the per-lane loops run on the Vector API. */
    static final boolean VECTOR = Kernels.vector();

    final Shape in;
    final Shape shape;
    final Window window;

    Pool(Shape in, Window window) {
        this.in = in;
        this.window = window;
        this.shape = window.output(in.dim(0), in.dim(1));
    }

    /** The input shape and window of {@code kernel_shape} with strides, pads, dilations, {@code ceil_mode}. */
    static Window readWindow(OpReader r, Shape x) {
        long[] kernel = r.intsAttr("kernel_shape", null);
        if (kernel == null) {
            throw r.error(r.node().opType() + " needs kernel_shape");
        }
        return Window.read(r, x, kernel, true);
    }

    public Shape input() {
        return in;
    }

    public Window window() {
        return window;
    }

    @Override
    public final Shape shape() {
        return shape;
    }

    @Override
    public String describe() {
        Window w = window;
        return (w.oneD() ? "" : w.kH() + "x") + w.kW() + " /" + (w.oneD() ? "" : w.sH() + ",") + w.sW()
                + (w.padT() + w.padL() + w.padB() + w.padR() > 0 ? " pad " + Arrays.toString(new int[] {w.padT(),
                w.padL(), w.padB(), w.padR()}) : "");
    }

    @Override
    public final void forward(float[][] args, float[] out, int lanes, Scratch scratch) {
        float[] x = args[0];
        Window w = window;
        int channels = in.dim(0) * in.dim(1);
        for (int nc = 0; nc < channels; nc++) {
            int xb = nc * w.inH() * w.inW();
            for (int oh = 0, p = 0; oh < w.outH(); oh++) {
                for (int ow = 0; ow < w.outW(); ow++, p++) {
                    int o = (nc * w.positions() + p) * lanes;
                    boolean first = true;
                    for (int kh = 0; kh < w.kH(); kh++) {
                        int ih = w.row(oh, kh);
                        if (ih < 0 || ih >= w.inH()) {
                            continue;
                        }
                        for (int kw = 0; kw < w.kW(); kw++) {
                            int iw = w.col(ow, kw);
                            if (iw >= 0 && iw < w.inW()) {
                                int xi = (xb + ih * w.inW() + iw) * lanes;
                                if (first) {
                                    System.arraycopy(x, xi, out, o, lanes);
                                    first = false;
                                } else {
                                    combine(x, xi, out, o, lanes);
                                }
                            }
                        }
                    }
                    finish(out, o, lanes, p, first);
                }
            }
        }
    }

    /** Folds one more input (lanes at {@code xi}) into the result being built at {@code o}. */
    abstract void combine(float[] x, int xi, float[] out, int o, int lanes);

    /** Completes the result at {@code o} for position {@code p}; {@code empty}: the window read nothing. */
    abstract void finish(float[] out, int o, int lanes, int p, boolean empty);
}
