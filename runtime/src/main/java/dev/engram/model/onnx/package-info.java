/**
 * Stage: model codec for ONNX: protobuf bytes to a validated model ({@code OnnxValidator}, {@code ExternalData}),
 * to the typed graph ({@code ProtoToGraph}), edits ({@code OnnxEdits}) and building ({@code DenseToOnnx}). May
 * import {@code dev.engram.model}, {@code .graph}, {@code .io}, the generated {@code .proto} and protobuf-java.
 */
package dev.engram.model.onnx;
