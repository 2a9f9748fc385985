package dev.engram.model;

import dev.engram.model.nnet.NnetModel;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.model.torch.TorchScriptModel;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Facade for loading models of any supported format and converting between ONNX and NNet. */
public final class Models {
    private Models() {
    }

    /** Loads a model by extension ({@code .onnx}, {@code .nnet}, {@code .pt}); throws {@link ModelException}. */
    public static LoadedModel load(Path path) {
        return load(path, ModelLimits.defaults());
    }

    public static LoadedModel load(Path path, ModelLimits limits) {
        ModelFormat f = ModelFormat.of(path);
        try {
            return switch (f) {
                case ONNX -> OnnxModel.read(path, limits);
                case NNET -> NnetModel.read(path, limits);
                case TORCHSCRIPT -> TorchScriptModel.read(path, limits);
            };
        } catch (OutOfMemoryError e) {
            throw new ModelException(path + ": not enough memory to load the model");
        } catch (StackOverflowError e) {
            throw new ModelException(path + ": model nesting too deep");
        }
    }

    /** Loads a model and returns its feed-forward view. */
    public static DenseNetwork readDense(Path path) {
        return load(path).dense();
    }

    /** Converts a model to the format of {@code out} (ONNX or NNet) and writes it atomically. */
    public static LoadedModel convert(LoadedModel model, ModelFormat target) {
        if (model.format() == target) {
            return model;
        }
        switch (target) {
            case ONNX -> {
                Map<String, String> meta = new LinkedHashMap<>();
                if (model instanceof NnetModel n) {
                    meta.put("nnet.mins", join(n.mins()));
                    meta.put("nnet.maxs", join(n.maxs()));
                    meta.put("nnet.means", join(n.means()));
                    meta.put("nnet.ranges", join(n.ranges()));
                }
                return OnnxModel.fromDense(model.dense(), "input", "output", false, meta);
            }
            case NNET -> {
                NnetModel base = NnetModel.of(model.dense());
                if (model instanceof OnnxModel o) {
                    Map<String, String> meta = o.metadata();
                    if (meta.containsKey("nnet.mins")) {
                        return new NnetModel(base.network(), split(meta.get("nnet.mins")),
                                split(meta.get("nnet.maxs")), split(meta.get("nnet.means")),
                                split(meta.get("nnet.ranges")), java.util.List.of(), null, null);
                    }
                }
                return base;
            }
            default -> throw new ModelException("cannot convert to " + target);
        }
    }

    private static String join(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ",").append(v[i]);
        }
        return sb.toString();
    }

    private static double[] split(String s) {
        if (s == null) {
            throw new ModelException("incomplete NNet metadata in the ONNX model");
        }
        String[] p = s.split(",");
        double[] out = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            try {
                out[i] = Double.parseDouble(p[i].trim());
            } catch (NumberFormatException e) {
                throw new ModelException("bad NNet metadata value '" + p[i] + "'");
            }
        }
        return out;
    }
}
