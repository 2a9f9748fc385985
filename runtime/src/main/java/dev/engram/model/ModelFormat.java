package dev.engram.model;

import java.nio.file.Path;
import java.util.Locale;

/** The model file formats Engram reads and writes. */
public enum ModelFormat {
    ONNX, NNET, TORCHSCRIPT;

    /** The format implied by a file name's extension ({@code .onnx}, {@code .nnet}, {@code .pt}/{@code .pth}). */
    public static ModelFormat of(Path path) {
        String n = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".onnx")) {
            return ONNX;
        }
        if (n.endsWith(".nnet")) {
            return NNET;
        }
        if (n.endsWith(".pt") || n.endsWith(".pth") || n.endsWith(".torchscript")) {
            return TORCHSCRIPT;
        }
        throw new ModelException(path + ": unknown model format (expected .onnx, .nnet or .pt)");
    }
}
