package dev.engram.model;

import java.util.Arrays;

/**
 * The budget every reader of a hostile file keeps to (ONNX with its external data, NNet, TorchScript,
 * {@code .epatch}): checked before anything is allocated, with memory reserved from the file's actual size where
 * the format allows.
 *
 * @param maxBytes    bytes read into memory for one model: the file plus every external data range (each range
 *                    counts, even when several tensors point into the same file)
 * @param maxElements tensor elements held for one model, over all its tensors (and for one tensor)
 * @param maxNodes    graph nodes, layers, or statements of model code run
 * @param maxDepth    nesting: protobuf messages, code calls, JSON
 */
public record ModelLimits(long maxBytes, long maxElements, int maxNodes, int maxDepth) {

    /** The longest Java array: no tensor may have more elements. */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    public ModelLimits {
        if (maxBytes < 0 || maxElements < 0 || maxNodes < 0 || maxDepth < 1) {
            throw new IllegalArgumentException("limits must be non-negative (depth positive)");
        }
    }

    /**
     * Defaults: 2 GiB of bytes (the protobuf limit), 512 M elements, 1 M nodes, depth 64; the system properties
     * {@code engram.maxBytes}, {@code engram.maxElements} override the first two.
     */
    public static ModelLimits defaults() {
        return new ModelLimits(Long.getLong("engram.maxBytes", Integer.MAX_VALUE - 64L),
                Long.getLong("engram.maxElements", 512L << 20), 1 << 20, 64);
    }

    /** A fresh budget for reading one model. */
    public Budget budget() {
        return new Budget(this);
    }

    /** Checks one tensor's dimensions and returns its element count, without allocating anything. */
    public long checkDims(String what, long[] dims) {
        long cap = Math.min(maxElements, MAX_ARRAY);
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new ModelException(what + ": negative dimension " + d);
            }
            if (d != 0 && n > cap / d) {
                throw new ModelException(what + ": " + Arrays.toString(dims) + " exceeds the element cap of " + cap);
            }
            n *= d;
        }
        return n;
    }

    /** What one read has used of its limits so far; not thread-safe (one per read). */
    public static final class Budget {
        private final ModelLimits limits;
        private long bytes;
        private long elements;

        private Budget(ModelLimits limits) {
            this.limits = limits;
        }

        public ModelLimits limits() {
            return limits;
        }

        /** Reserves {@code n} bytes about to be read; refuses when the model would exceed {@code maxBytes}. */
        public void reserveBytes(String what, long n) {
            if (n < 0 || n > limits.maxBytes - bytes) {
                throw new ModelException(what + ": " + n + " more bytes would exceed the model's cap of "
                        + limits.maxBytes + " bytes (" + bytes + " already read)");
            }
            bytes += n;
        }

        /** Reserves the elements of a tensor of {@code dims}; returns the element count. */
        public long reserveElements(String what, long[] dims) {
            long n = limits.checkDims(what, dims);
            if (n > limits.maxElements - elements) {
                throw new ModelException(what + ": " + n + " more elements would exceed the model's cap of "
                        + limits.maxElements + " elements (" + elements + " already held)");
            }
            elements += n;
            return n;
        }
    }
}
