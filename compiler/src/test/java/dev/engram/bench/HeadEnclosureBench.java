package dev.engram.bench;

import dev.engram.front.VnnlibFile;
import dev.engram.lower.HeadSplit;
import dev.engram.model.DenseNetwork;
import dev.engram.model.LoadedModel;
import dev.engram.model.Models;
import dev.engram.verify.Box;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.InputRegion;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import dev.engram.verify.bounds.Deadline;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Diagnostic (not a unit test): each VNN-LIB property over a CNN's inputs, carried to its head as the head repair
 * carries it (the enclosure of the features of its box, {@link HeadSplit#enclosure}), and the dense verifier on the
 * head of {@code HEAD.onnx} (the original, or a repaired model with the same prefix) over that enclosure. A property
 * that holds on the model need not hold there, even for the original head: the enclosure holds features no input
 * produces. For a counterexample, whether the original head violates the property there too.
 * Usage: {@code HeadEnclosureBench MODEL.onnx HEAD.onnx SECONDS SPEC.vnnlib...}.
 */
public final class HeadEnclosureBench {
    public static void main(String[] args) {
        LoadedModel model = Models.load(Path.of(args[0]));
        HeadSplit split = HeadSplit.of(model);
        DenseNetwork head = Models.load(Path.of(args[1])).head();
        double seconds = Double.parseDouble(args[2]);
        int in = split.dag().shape(0).size();
        int out = split.head().outputSize();
        for (int k = 3; k < args.length; k++) {
            Property p = VnnlibFile.read(Path.of(args[k]), in, out).properties().get(0);
            Box f = split.enclosure(p.region().boxes().get(0), Deadline.after(seconds));
            Property onHead = new Property(p.name(), InputRegion.of(f), p.unsafe());
            Verdict v = BranchAndBoundVerifier.create().verify(head, onHead,
                    VerifyOptions.defaults().withTimeout(seconds));
            String before = "";
            if (v instanceof Verdict.Sat sat) {
                float[] x = new float[sat.input().length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) sat.input()[i];
                }
                float[] y = split.head().evaluate(x);
                double[] yd = new double[y.length];
                for (int j = 0; j < y.length; j++) {
                    yd[j] = y[j];
                }
                before = onHead.isUnsafe(yd, 0) ? "; the original head violates it there too"
                        : "; the original head does not violate it there";
            }
            System.out.printf(Locale.ROOT, "%s on the head of %s over the enclosure of its box (%d features): %s in"
                    + " %.2f s%s%n", p.name(), args[1], f.dimension(), v.word(), v.seconds(), before);
        }
    }
}
