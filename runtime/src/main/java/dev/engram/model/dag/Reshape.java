package dev.engram.model.dag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A change of shape that moves no element: {@code Reshape}, {@code Flatten}, {@code Squeeze}, {@code Unsqueeze},
 * {@code Identity}, inference-mode {@code Dropout} and a {@code Pad} of zeros. In the tile layout the values are the same floats, so the
 * executor shares the argument's buffer instead of calling {@link #forward}.
 */
public final class Reshape implements Op {
    private final String type;
    private final Shape shape;

    public Reshape(String type, Shape shape) {
        this.type = type;
        this.shape = shape;
    }

    /** {@code Reshape(data, shape)}: 0 copies the input's dimension (unless {@code allowzero}), -1 is inferred. */
    static Op read(OpReader r) {
        r.inputs(2, 2);
        Shape in = r.data(0);
        long[] target = r.longs(1);
        boolean allowZero = r.intAttrIn("allowzero", 0, 0, 1) == 1;
        long[] d = new long[target.length];
        int infer = -1;
        long known = 1;
        for (int k = 0; k < d.length; k++) {
            long t = target[k];
            if (t == 0 && !allowZero) {
                if (k >= in.rank()) {
                    throw r.error("shape " + Arrays.toString(target) + " copies dimension " + k + " of a rank-"
                            + in.rank() + " input");
                }
                t = in.dim(k);
            }
            if (t == -1) {
                if (infer >= 0) {
                    throw r.error("shape " + Arrays.toString(target) + " has more than one -1");
                }
                infer = k;
                continue;
            }
            if (t < 0) {
                throw r.error("shape " + Arrays.toString(target) + " has a negative dimension");
            }
            d[k] = t;
            if (t != 0 && known > Integer.MAX_VALUE / t) {
                throw r.error("cannot reshape " + in + " (" + in.size() + " elements) to " + Arrays.toString(target));
            }
            known *= t;
        }
        if (infer >= 0) {
            if (known == 0 || in.size() % known != 0) {
                throw r.error("cannot reshape " + in + " to " + Arrays.toString(target));
            }
            d[infer] = in.size() / known;
        }
        Shape out = r.checked("shape", d);
        if (out.size() != in.size()) {
            throw r.error("cannot reshape " + in + " (" + in.size() + " elements) to " + Arrays.toString(target));
        }
        return new Reshape("Reshape", out);
    }

    /** {@code Flatten(axis)}: {@code [d0*..*d(axis-1), d(axis)*..]}. */
    static Op readFlatten(OpReader r) {
        r.inputs(1, 1);
        Shape in = r.data(0);
        long axis = r.intAttr("axis", 1);
        if (axis < -in.rank() || axis > in.rank()) {
            throw r.error("axis " + axis + " is out of range for rank " + in.rank());
        }
        int a = (int) (axis < 0 ? axis + in.rank() : axis);
        int outer = 1;
        for (int k = 0; k < a; k++) {
            outer *= in.dim(k);
        }
        return new Reshape("Flatten", Shape.of(outer, in.sizeFrom(a)));
    }

    /** {@code Squeeze}: removes the given dimensions of size 1 (all of them when no axes are given). */
    static Op readSqueeze(OpReader r) {
        r.inputs(1, 2);
        Shape in = r.data(0);
        long[] axes = r.has(1) ? r.longs(1) : r.intsAttr("axes", null);
        boolean[] drop = new boolean[in.rank()];
        if (axes == null) {
            for (int k = 0; k < in.rank(); k++) {
                drop[k] = in.dim(k) == 1;
            }
        } else {
            for (long ax : axes) {
                int k = r.axis(ax, in.rank(), "axis");
                if (in.dim(k) != 1) {
                    throw r.error("cannot squeeze dimension " + k + " of " + in + ": it is not 1");
                }
                drop[k] = true;
            }
        }
        List<Integer> d = new ArrayList<>();
        for (int k = 0; k < in.rank(); k++) {
            if (!drop[k]) {
                d.add(in.dim(k));
            }
        }
        return new Reshape("Squeeze", new Shape(d.stream().mapToInt(Integer::intValue).toArray()));
    }

    /** {@code Unsqueeze}: inserts dimensions of size 1 at the given axes of the result. */
    static Op readUnsqueeze(OpReader r) {
        r.inputs(1, 2);
        Shape in = r.data(0);
        long[] axes = r.has(1) ? r.longs(1) : r.intsAttr("axes", null);
        if (axes == null) {
            throw r.error("Unsqueeze needs axes");
        }
        int rank = in.rank() + axes.length;
        boolean[] ones = new boolean[rank];
        for (long ax : axes) {
            int k = r.axis(ax, rank, "axis");
            if (ones[k]) {
                throw r.error("axis " + ax + " is given twice");
            }
            ones[k] = true;
        }
        int[] d = new int[rank];
        for (int k = 0, j = 0; k < rank; k++) {
            d[k] = ones[k] ? 1 : in.dim(j++);
        }
        return new Reshape("Unsqueeze", new Shape(d));
    }

    static Op readIdentity(OpReader r) {
        r.inputs(1, 1);
        return new Reshape("Identity", r.data(0));
    }

    /** Inference-mode {@code Dropout}: the identity; training mode (or a mask that is used) is refused. */
    static Op readDropout(OpReader r) {
        r.inputs(1, 3);
        r.ignore("ratio", "seed", "is_test");
        if (r.has(2)) {
            long[] training = r.constant(2).longs();
            if (training == null || training.length != 1 || training[0] != 0) {
                throw r.error("Dropout in training mode (or with a training_mode that is not a readable constant)"
                        + " is not supported");
            }
        }
        if (r.has(1) && !r.isConstant(1)) {
            throw r.error("Dropout's ratio must be a constant");
        }
        return new Reshape("Dropout", r.data(0));
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public void forward(float[][] in, float[] out, int lanes, Scratch scratch) {
        System.arraycopy(in[0], 0, out, 0, shape.size() * lanes);
    }
}
