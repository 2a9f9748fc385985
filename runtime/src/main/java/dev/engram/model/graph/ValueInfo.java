package dev.engram.model.graph;

import java.util.Arrays;

/**
 * A named value's declared type: element type (ONNX data type code) and shape; a dimension of {@code -1} is
 * symbolic or unknown ({@code dimParams} holds the symbol, or null).
 */
public record ValueInfo(String name, int elemType, long[] dims, String[] dimParams) {

    public String shapeString() {
        if (dims == null) {
            return "?";
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(dims[i] >= 0 ? Long.toString(dims[i]) : (dimParams[i] != null ? dimParams[i] : "?"));
        }
        return sb.append(']').toString();
    }

    @Override
    public String toString() {
        return name + ":" + shapeString() + (dims == null ? "" : "") + " " + Arrays.toString(dims);
    }
}
