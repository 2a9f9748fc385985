package dev.engram.model;

/**
 * Caps that protect the loaders against hostile files: checked before any allocation.
 *
 * @param maxTensorElements largest element count of one tensor
 * @param maxFileBytes      largest model file read into memory
 * @param maxNodes          largest number of graph nodes
 */
public record ModelLimits(long maxTensorElements, long maxFileBytes, int maxNodes) {

    /** Defaults: 256 M elements per tensor, 2 GiB files (the protobuf limit), 1 M nodes; overridable with the
     * system properties {@code engram.maxTensorElements}, {@code engram.maxFileBytes}. */
    public static ModelLimits defaults() {
        return new ModelLimits(Long.getLong("engram.maxTensorElements", 256L << 20),
                Long.getLong("engram.maxFileBytes", Integer.MAX_VALUE - 64L), 1 << 20);
    }

    /** Checks tensor dimensions and returns the element count, without allocating anything. */
    public long checkDims(String what, long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new ModelException(what + ": negative dimension " + d);
            }
            if (d != 0 && n > maxTensorElements / d) {
                throw new ModelException(what + ": " + java.util.Arrays.toString(dims)
                        + " exceeds the element cap of " + maxTensorElements);
            }
            n *= d;
        }
        if (n > maxTensorElements) {
            throw new ModelException(what + ": " + n + " elements exceed the cap of " + maxTensorElements);
        }
        return n;
    }
}
