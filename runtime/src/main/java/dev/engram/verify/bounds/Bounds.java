package dev.engram.verify.bounds;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;

import java.util.ArrayList;
import java.util.List;

/**
 * Entry points for bounding a network over a box: {@link #interval} (IBP) and {@link #linear} (symbolic
 * forward bounds, output bounds tightened by a backward CROWN pass per output). Both contain every value the
 * network takes when executed in float32, in any summation order, on any input of the box (the error model of
 * {@code docs/verifier.md}).
 */
public final class Bounds {
    private Bounds() {
    }

    public static LayerBounds interval(DenseNetwork net, Box box) {
        BoundNetwork bn = checked(net);
        LinearBounds lb = LinearBounds.interval(bn, box.lo(), box.hi());
        return layers(lb, lb.lo[bn.layers - 1], lb.hi[bn.layers - 1]);
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
        return layers(lb, olo, ohi);
    }

    private static BoundNetwork checked(DenseNetwork net) {
        BoundNetwork bn = BoundNetwork.of(net);
        if (bn.unsupported() != null) {
            throw new IllegalArgumentException(bn.unsupported());
        }
        return bn;
    }

    private static LayerBounds layers(LinearBounds lb, double[] olo, double[] ohi) {
        List<Box> boxes = new ArrayList<>();
        for (int l = 0; l < lb.layers() - 1; l++) {
            boxes.add(new Box(lb.lo[l], lb.hi[l]));
        }
        boxes.add(new Box(olo, ohi));
        return new LayerBounds(boxes);
    }

    /**
     * A rounding allowance for constructions (not proofs): {@code 1e-5 · (1 + scale)} for a value of magnitude
     * {@code scale}, about what float32 execution of a small network can move it. The verifier's proofs do not use
     * it: they carry the proved error model.
     */
    public static double roundingAllowance(double scale) {
        return 1e-5 * (1 + scale);
    }
}
