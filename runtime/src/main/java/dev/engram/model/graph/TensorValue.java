package dev.engram.model.graph;

import dev.engram.model.FloatTensor;
import dev.engram.model.ModelException;

/**
 * A constant tensor (initializer or Constant attribute) decoded from its file: ONNX data type code, dims, and
 * the values as floats (FLOAT, DOUBLE, FLOAT16 are not decoded: only FLOAT/DOUBLE) or longs (INT32/INT64).
 */
public record TensorValue(String name, int dataType, long[] dims, float[] floats, long[] longs) {

    public static final int FLOAT = 1;
    public static final int INT32 = 6;
    public static final int INT64 = 7;
    public static final int DOUBLE = 11;

    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    public boolean isFloat() {
        return floats != null;
    }

    public FloatTensor asFloat() {
        if (floats == null) {
            throw new ModelException("tensor " + name + " has data type " + dataType + ", not float");
        }
        return new FloatTensor(dims.clone(), floats);
    }
}
