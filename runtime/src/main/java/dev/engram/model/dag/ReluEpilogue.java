package dev.engram.model.dag;

/**
 * An operator whose last step can also apply a ReLU, while its results are still in cache: the executor runs a
 * {@link Relu} that is the only reader of such an operator's result this way. The bits are the same as running the
 * two operators one after the other.
 */
public interface ReluEpilogue extends Op {

    /** {@link #forward}, then {@code v > 0 ? v : 0} on every result when {@code relu}. */
    void forward(float[][] in, float[] out, int lanes, Scratch scratch, boolean relu);

    @Override
    default void forward(float[][] in, float[] out, int lanes, Scratch scratch) {
        forward(in, out, lanes, scratch, false);
    }
}
