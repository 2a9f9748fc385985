package dev.engram.front;

import dev.engram.data.ArrayData;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.ir.Obligation;
import dev.engram.ir.Robustness;
import dev.engram.source.Span;
import dev.engram.verify.Box;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Inputs to fix (pointwise and local repair): rows of an IDX or NPY file ({@code images}, unsigned bytes read as
 * {@code value / 255}), each with its label from {@code labels}, optionally only the rows {@code indices}; with
 * {@code eps > 0} the L∞ ball of that radius around each row, clipped to {@code [lo, hi]}, instead of the row
 * itself. Each becomes one {@link Obligation.Enforce} with {@link Obligation.Strategy#LOCAL}: over its region the
 * model decides its label (the VNN-LIB robustness form). {@code keep} (optional) holds inputs whose decisions the
 * repair holds, at most {@code keepCount} of them.
 */
public record PointSet(Path images, Path labels, List<Integer> indices, double eps, double lo, double hi, Path keep,
                       int keepCount) {
    public PointSet {
        indices = List.copyOf(indices);
    }

    /** The rows as obligations and the kept inputs, or the diagnostics of what does not fit. */
    public record Read(List<Obligation> obligations, List<float[]> keep, List<Diagnostic> diagnostics) {
        public boolean ok() {
            return diagnostics.stream().noneMatch(Diagnostic::isError);
        }
    }

    /** Reads the rows for a model of {@code ins} inputs and {@code outs} outputs. */
    public Read read(int ins, int outs) {
        Span at = Span.of(images.toString(), 1, 1, 1, 1);
        List<Diagnostic> ds = new ArrayList<>();
        if (!(eps >= 0) || !(lo <= hi) || keepCount < 0) {
            ds.add(bad(at, "eps " + eps + ", range [" + lo + ", " + hi + "], keep count " + keepCount
                    + ": eps must be >= 0, the range not inverted and the count >= 0", "give --eps 0.01, say"));
            return new Read(List.of(), List.of(), ds);
        }
        List<Obligation> obs = new ArrayList<>();
        try (ArrayData.Rows rows = ArrayData.Rows.open(images, Optional.of(labels))) {
            if (rows.width() != ins) {
                ds.add(bad(at, images + " has " + rows.width() + " values per row but the model takes " + ins
                        + " inputs", "give images of the model's input size (28×28 = 784 for MNIST-style models)"));
                return new Read(List.of(), List.of(), ds);
            }
            java.util.Set<Integer> wanted = new java.util.TreeSet<>(indices);
            for (int i : wanted) {
                if (i < 0 || i >= rows.rows()) {
                    ds.add(bad(at, "row " + i + " does not exist: " + images + " has " + rows.rows() + " rows",
                            "indices count from 0"));
                }
            }
            if (!ds.isEmpty()) {
                return new Read(List.of(), List.of(), ds);
            }
            int row = 0;
            for (ArrayData.Rows.Chunk c = rows.next(1024); c != null; c = rows.next(1024)) {
                for (int r = 0; r < c.size(); r++, row++) {
                    if (!wanted.isEmpty() && !wanted.contains(row)) {
                        continue;
                    }
                    float label = c.labels()[r];
                    if (label != Math.rint(label) || label < 0 || label >= outs) {
                        ds.add(Diagnostic.error(DiagnosticCode.E014, Span.of(labels.toString(), 1, 1, 1, 1),
                                "row " + row + " has label " + (label == Math.rint(label) ? String.valueOf((long) label)
                                        : String.valueOf(label)) + " but the model has " + outs
                                        + " outputs (labels 0.." + (outs - 1) + ")",
                                "check that the labels file belongs to the images and to this model"));
                        continue;
                    }
                    obs.add(obligation(row, c.x()[r], (int) label, outs, at));
                }
            }
        } catch (IllegalArgumentException | dev.engram.model.ModelException e) {
            ds.add(bad(at, String.valueOf(e.getMessage()), "give an IDX or NPY file of images and one of labels"));
            return new Read(List.of(), List.of(), ds);
        }
        List<float[]> kept = keep == null ? List.of() : readKeep(ins, ds);
        return new Read(obs, kept, ds);
    }

    private Obligation obligation(int row, float[] x, int label, int outs, Span at) {
        double[] l = new double[x.length];
        double[] h = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            l[i] = eps == 0 ? x[i] : Math.max(lo, Math.min(x[i], (float) (x[i] - eps)));
            h[i] = eps == 0 ? x[i] : Math.min(hi, Math.max(x[i], (float) (x[i] + eps)));
        }
        String name = (eps == 0 ? "point_" : "ball_") + row;
        return new Obligation.Enforce(name, at, Robustness.property(name, new Box(l, h), label, outs),
                Obligation.Strategy.LOCAL, null);
    }

    private List<float[]> readKeep(int ins, List<Diagnostic> ds) {
        List<float[]> out = new ArrayList<>();
        Span at = Span.of(keep.toString(), 1, 1, 1, 1);
        try (ArrayData.Rows rows = ArrayData.Rows.open(keep, Optional.empty())) {
            if (rows.width() != ins) {
                ds.add(bad(at, keep + " has " + rows.width() + " values per row but the model takes " + ins
                        + " inputs", "give inputs of the model's size"));
                return List.of();
            }
            for (ArrayData.Rows.Chunk c = rows.next(1024); c != null && out.size() < keepCount; c = rows.next(1024)) {
                for (int r = 0; r < c.size() && out.size() < keepCount; r++) {
                    out.add(c.x()[r]);
                }
            }
        } catch (IllegalArgumentException | dev.engram.model.ModelException e) {
            ds.add(bad(at, String.valueOf(e.getMessage()), "give an IDX or NPY file of inputs"));
        }
        return out;
    }

    private static Diagnostic bad(Span at, String message, String hint) {
        return Diagnostic.error(DiagnosticCode.E023, at, message, hint);
    }
}
