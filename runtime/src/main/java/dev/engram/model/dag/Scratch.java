package dev.engram.model.dag;

import dev.engram.model.kernel.PackedMatrix;

/** Working memory of one thread running operators: grown on demand, reused from call to call. Not thread-safe. */
public final class Scratch {
    private float[] floats = new float[0];
    private final float[] tail = new float[PackedMatrix.TAIL];

    /** A buffer of at least {@code n} floats, with arbitrary contents. */
    public float[] floats(int n) {
        if (floats.length < n) {
            floats = new float[n];
        }
        return floats;
    }

    /** The scratch {@link PackedMatrix#apply} needs. */
    public float[] tail() {
        return tail;
    }
}
