package dev.engram.model.dag;

import dev.engram.model.kernel.VectorKernel;

import java.util.Arrays;

/**
 * {@code AveragePool} (and {@code GlobalAveragePool}): the sum of each window in order, divided by the number of
 * inputs it covers, or with {@code count_include_pad} by the positions it covers inside the padded input.
 */
public final class AveragePool extends Pool {
    private final boolean countPad;
    private final float[] divisor; // per output position

    public AveragePool(Shape in, Window window, boolean countPad) {
        super(in, window);
        this.countPad = countPad;
        this.divisor = divisors(window, countPad);
    }

    static Op read(OpReader r) {
        r.inputs(1, 1);
        Shape x = r.data(0);
        boolean countPad = r.intAttrIn("count_include_pad", 0, 0, 1) == 1;
        return new AveragePool(x, readWindow(r, x), countPad);
    }

    static Op readGlobal(OpReader r) {
        r.inputs(1, 1);
        Shape x = r.data(0);
        return new AveragePool(x, Window.global(r, x), false);
    }

    private static float[] divisors(Window w, boolean countPad) {
        float[] d = new float[w.positions()];
        int loH = countPad ? -w.padT() : 0;
        int hiH = countPad ? w.inH() + w.padB() : w.inH();
        int loW = countPad ? -w.padL() : 0;
        int hiW = countPad ? w.inW() + w.padR() : w.inW();
        for (int oh = 0, p = 0; oh < w.outH(); oh++) {
            for (int ow = 0; ow < w.outW(); ow++, p++) {
                int n = 0;
                for (int kh = 0; kh < w.kH(); kh++) {
                    int ih = w.row(oh, kh);
                    for (int kw = 0; kw < w.kW(); kw++) {
                        int iw = w.col(ow, kw);
                        if (ih >= loH && ih < hiH && iw >= loW && iw < hiW) {
                            n++;
                        }
                    }
                }
                d[p] = n;
            }
        }
        return d;
    }

    public boolean countIncludePad() {
        return countPad;
    }

    /** The divisor of each output position (a copy). */
    public float[] divisors() {
        return divisor.clone();
    }

    @Override
    public String type() {
        return "AveragePool";
    }

    @Override
    void combine(float[] x, int xi, float[] out, int o, int lanes) {
        if (VECTOR) {
            VectorKernel.add(x, xi, out, o, lanes);
        } else {
            for (int s = 0; s < lanes; s++) {
                out[o + s] += x[xi + s];
            }
        }
    }

    @Override
    void finish(float[] out, int o, int lanes, int p, boolean empty) {
        if (empty) {
            Arrays.fill(out, o, o + lanes, 0f);
        }
        float d = divisor[p];
        for (int s = 0; s < lanes; s++) {
            out[o + s] /= d;
        }
    }
}
