package dev.engram.patch;

import dev.engram.model.FloatTensor;
import dev.engram.model.ModelException;

import java.util.Arrays;

/**
 * One edit of a named float32 tensor, carrying what is needed to undo it bit-identically. {@code rule} names the
 * rule the edit comes from (may be empty). Apply checks that the tensor holds the recorded original values.
 */
public sealed interface TensorEdit permits TensorEdit.AddDelta, TensorEdit.ReplaceSlice, TensorEdit.Grow {

    String tensor();

    String rule();

    /** The edited tensor; throws {@link ModelException} when {@code current} is not the recorded original. */
    FloatTensor apply(FloatTensor current);

    /** The original tensor; throws {@link ModelException} when {@code current} is not this edit's result. */
    FloatTensor revert(FloatTensor current);

    /** Adds {@code delta} (float32 addition) to the whole tensor; {@code original} is the tensor before. */
    record AddDelta(String tensor, String rule, long[] dims, float[] delta, float[] original) implements TensorEdit {
        public AddDelta {
            check(tensor, dims, delta.length);
            check(tensor, dims, original.length);
        }

        private float[] result() {
            float[] r = new float[delta.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = original[i] + delta[i];
            }
            return r;
        }

        @Override
        public FloatTensor apply(FloatTensor current) {
            expect(tensor, current, dims, original, 0);
            return new FloatTensor(dims.clone(), result());
        }

        @Override
        public FloatTensor revert(FloatTensor current) {
            expect(tensor, current, dims, result(), 0);
            return new FloatTensor(dims.clone(), original.clone());
        }
    }

    /** Replaces the flat row-major range {@code [offset, offset + values.length)} of a tensor of {@code dims}. */
    record ReplaceSlice(String tensor, String rule, long[] dims, int offset, float[] values, float[] original)
            implements TensorEdit {
        public ReplaceSlice {
            if (values.length != original.length || offset < 0
                    || offset + (long) values.length > count(dims)) {
                throw new ModelException("slice edit of '" + tensor + "' out of range");
            }
        }

        @Override
        public FloatTensor apply(FloatTensor current) {
            expect(tensor, current, dims, original, offset);
            float[] d = current.data().clone();
            System.arraycopy(values, 0, d, offset, values.length);
            return new FloatTensor(dims.clone(), d);
        }

        @Override
        public FloatTensor revert(FloatTensor current) {
            expect(tensor, current, dims, values, offset);
            float[] d = current.data().clone();
            System.arraycopy(original, 0, d, offset, original.length);
            return new FloatTensor(dims.clone(), d);
        }
    }

    /** Changes a tensor's shape (e.g. a layer widened by new units): the whole old and new tensors are kept. */
    record Grow(String tensor, String rule, long[] oldDims, float[] original, long[] newDims, float[] values)
            implements TensorEdit {
        public Grow {
            check(tensor, oldDims, original.length);
            check(tensor, newDims, values.length);
        }

        @Override
        public FloatTensor apply(FloatTensor current) {
            expect(tensor, current, oldDims, original, 0);
            return new FloatTensor(newDims.clone(), values.clone());
        }

        @Override
        public FloatTensor revert(FloatTensor current) {
            expect(tensor, current, newDims, values, 0);
            return new FloatTensor(oldDims.clone(), original.clone());
        }
    }

    private static long count(long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0 || (d != 0 && n > Long.MAX_VALUE / d)) {
                throw new ModelException("dims " + Arrays.toString(dims) + " are negative or overflow");
            }
            n *= d;
        }
        return n;
    }

    private static void check(String tensor, long[] dims, int n) {
        if (count(dims) != n) {
            throw new ModelException("edit of '" + tensor + "': " + n + " values for dims " + Arrays.toString(dims));
        }
    }

    private static void expect(String tensor, FloatTensor current, long[] dims, float[] values, int offset) {
        if (!Arrays.equals(current.dims(), dims)) {
            throw new ModelException("tensor '" + tensor + "' has dims " + Arrays.toString(current.dims())
                    + " but the patch expects " + Arrays.toString(dims));
        }
        float[] d = current.data();
        for (int i = 0; i < values.length; i++) {
            if (Float.floatToRawIntBits(d[offset + i]) != Float.floatToRawIntBits(values[i])) {
                throw new ModelException("tensor '" + tensor + "' differs from what the patch expects at element "
                        + (offset + i) + " (" + d[offset + i] + " vs " + values[i] + ")");
            }
        }
    }
}
