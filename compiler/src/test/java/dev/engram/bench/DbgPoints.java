package dev.engram.bench;

import dev.engram.lower.points.PointRepair;
import dev.engram.lower.points.Target;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Bounds;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public final class DbgPoints {
    public static void main(String[] args) {
        DenseNetwork net = Models.load(Path.of(args[0])).dense();
        List<float[]> x = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        PointRepairBench.read(Path.of("../shared/data/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                Path.of("../shared/data/fashion-mnist/t10k-labels-idx1-ubyte.gz"), x, y);
        double eps = Double.parseDouble(args[1]);
        float[] p = x.get(12);
        double[] lo = new double[784], hi = new double[784];
        for (int i = 0; i < 784; i++) { lo[i] = Math.max(0, p[i] - eps); hi[i] = Math.min(1, p[i] + eps); }
        Box b = new Box(lo, hi);
        var layers = Bounds.linear(net, b).preActivation();
        Box pen = layers.get(layers.size() - 2);
        int unstable = 0; double w = 0;
        for (int i = 0; i < pen.dimension(); i++) { if (pen.lo()[i] < 0 && pen.hi()[i] > 0) unstable++; w += pen.hi()[i] - pen.lo()[i]; }
        System.out.println("label " + y.get(12) + " unstable " + unstable + " mean width " + w / pen.dimension() + " out " + layers.get(layers.size()-1));
        PointRepair.Result r = PointRepair.repair(net, List.of(new Target("b", b, y.get(12))), List.of(), PointRepair.Options.defaults());
        System.out.println(r);
    }
}
