package dev.engram.model.graph;

/**
 * A node attribute; {@code type} is the ONNX AttributeType code (1 float, 2 int, 3 string, 4 tensor, 6 floats,
 * 7 ints, 8 strings). Only the field matching the type is meaningful.
 */
public record Attribute(String name, int type, float f, long i, String s, float[] floats, long[] ints,
                        TensorValue t) {
}
