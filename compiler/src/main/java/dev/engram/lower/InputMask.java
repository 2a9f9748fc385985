package dev.engram.lower;

import dev.engram.ir.Obligation;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.onnx.OnnxModel;

import java.util.List;

/**
 * The exact lowering of {@code ignore INPUT} on a model whose first operator is not dense (a convolution): a
 * constant mask in front of the input, {@code x' = x · keep + fill} ({@link OnnxModel#withInputMask}), with
 * {@code keep = 0} and {@code fill} the expected value on the ignored slots, {@code keep = 1} and {@code fill = 0}
 * elsewhere. Kept inputs pass bit for bit ({@code x · 1 + 0 = x}, up to the sign of a zero); an ignored slot becomes
 * its expected value for every finite input ({@code ±0 + e = e}; {@code −0 + 0 = +0}), so nothing after the mask
 * can depend on it. {@code validate.GraphProver} checks exactly that structure on the graph read back from the written file.
 */
public final class InputMask {
    private InputMask() {
    }

    /** {@code model} with every invariance of {@code ignores} applied at once (one mask). */
    public static LoadedModel apply(LoadedModel model, List<Obligation.Invariance> ignores, int inputs) {
        if (!(model instanceof OnnxModel onnx)) {
            throw new ModelException("an input mask can only be written into an ONNX model");
        }
        float[] keep = new float[inputs];
        float[] fill = new float[inputs];
        java.util.Arrays.fill(keep, 1f);
        for (Obligation.Invariance inv : ignores) {
            for (int k = 0; k < inv.slots().length; k++) {
                int s = inv.slots()[k];
                if (s < 0 || s >= inputs) {
                    throw new ModelException("'" + inv.name() + "': input slot " + s + " is not one of the model's "
                            + inputs + " inputs");
                }
                keep[s] = 0f;
                fill[s] = (float) inv.expected()[k];
            }
        }
        return onnx.withInputMask(keep, fill);
    }
}
