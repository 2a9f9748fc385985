/**
 * Stage: model (runtime). The model values every other stage uses ({@link dev.engram.model.LoadedModel},
 * {@link dev.engram.model.DenseNetwork}, {@link dev.engram.model.ModelLimits}) and the {@link dev.engram.model.Models}
 * facade that loads any format. Its subpackages may import it; it imports only its codecs (onnx, nnet, torch).
 */
package dev.engram.model;
