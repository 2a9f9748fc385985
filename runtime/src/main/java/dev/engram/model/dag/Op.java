package dev.engram.model.dag;

import dev.engram.model.ModelException;

/**
 * One operator of a {@link Dag}: a class per operator, holding its parameters (constant operands, attributes) and
 * the shapes it was read with. Made by the operator's {@code read(OpReader)} and registered in
 * {@link GraphToDag#READERS} (adding an operator is one class and one line there).
 *
 * <p><b>The tile layout.</b> Every value of a tile of {@code lanes} samples is one {@code float[]} holding element
 * {@code f} (the row-major index in the value's per-sample {@link Shape}) of sample {@code s} at
 * {@code [f * lanes + s]}: samples innermost, so element-wise work runs along contiguous lanes and a product with a
 * constant matrix is one matrix product over {@code lanes} columns. A reshape does not move anything.
 *
 * <p><b>Bounds.</b> Bound propagation lives in the verifier ({@code dev.engram.verify.graph}: one bound class per
 * operator, looked up by operator class); an operator without one is refused by name there, never skipped.
 */
public interface Op {

    /** The ONNX operator this was read from, e.g. {@code Conv} (for messages and listings). */
    String type();

    /** The per-sample shape of the result. */
    Shape shape();

    /**
     * Computes the result for one tile from the arguments' values ({@code in[i]} for the node's i-th argument), in
     * float32. {@code out} is never one of {@code in}; only its first {@code shape().size() * lanes} floats are
     * written, every one of them.
     */
    void forward(float[][] in, float[] out, int lanes, Scratch scratch);

    /** Parameters worth showing in a listing, e.g. {@code "3x3 /2 pad 1, 16->32"}; empty by default. */
    default String describe() {
        return "";
    }

    /** The error for a method this operator does not (yet) have. */
    default ModelException lacks(String method) {
        return new ModelException("operator " + type() + " has no " + method + " yet");
    }
}
