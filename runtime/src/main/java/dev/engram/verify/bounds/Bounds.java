package dev.engram.verify.bounds;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;

import java.util.ArrayList;
import java.util.List;

/**
 * Entry points for bounding a network over a box: {@link #interval} (IBP) and {@link #linear} (symbolic
 * forward bounds, output bounds tightened by a backward CROWN pass per output). Results are widened by
 * {@link #roundingAllowance} so that float32 execution of the network stays inside them.
 */
public final class Bounds {
    private Bounds() {
    }

    public static LayerBounds interval(DenseNetwork net, Box box) {
        BoundNetwork bn = checked(net);
        return widen(LinearBounds.interval(bn, box.lo(), box.hi()), null);
    }

    public static LayerBounds linear(DenseNetwork net, Box box) {
        BoundNetwork bn = checked(net);
        LinearBounds lb = LinearBounds.forward(bn, box.lo(), box.hi(), true);
        int m = bn.outputSize();
        double[] olo = new double[m];
        double[] ohi = new double[m];
        for (int j = 0; j < m; j++) {
            double[] c = new double[m];
            c[j] = 1;
            olo[j] = Math.max(lb.lo[bn.layers - 1][j], lb.lowerBound(c, null, null));
            c[j] = -1;
            ohi[j] = Math.min(lb.hi[bn.layers - 1][j], -lb.lowerBound(c, null, null));
        }
        return widen(lb, new double[][] {olo, ohi});
    }

    private static BoundNetwork checked(DenseNetwork net) {
        BoundNetwork bn = BoundNetwork.of(net);
        if (bn.unsupported() != null) {
            throw new IllegalArgumentException(bn.unsupported());
        }
        return bn;
    }

    private static LayerBounds widen(LinearBounds lb, double[][] output) {
        List<Box> boxes = new ArrayList<>();
        for (int l = 0; l < lb.layers(); l++) {
            double[] lo = l == lb.layers() - 1 && output != null ? output[0] : lb.lo[l];
            double[] hi = l == lb.layers() - 1 && output != null ? output[1] : lb.hi[l];
            double[] wl = new double[lo.length];
            double[] wh = new double[hi.length];
            for (int i = 0; i < lo.length; i++) {
                double e = roundingAllowance(Math.max(Math.abs(lo[i]), Math.abs(hi[i])));
                wl[i] = lo[i] - e;
                wh[i] = hi[i] + e;
            }
            boxes.add(new Box(wl, wh));
        }
        return new LayerBounds(boxes);
    }

    /**
     * The rounding allowance for a value of magnitude {@code scale}: float32 execution of a network rounds
     * each product and sum with relative error 2^-24; summed over a layer of n terms and a few layers this stays
     * far below 1e-5 relative for the networks we handle, so we add {@code 1e-5 * (1 + scale)}.
     */
    public static double roundingAllowance(double scale) {
        return 1e-5 * (1 + scale);
    }

    /**
     * The old name of {@link #roundingAllowance} ("margin" is the rule language's word for a consequent's
     * tightening); kept until the compiler's three call sites move to the new name.
     */
    @Deprecated
    public static double margin(double scale) {
        return roundingAllowance(scale);
    }
}
