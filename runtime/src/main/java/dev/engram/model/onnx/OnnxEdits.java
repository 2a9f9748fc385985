package dev.engram.model.onnx;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.FloatTensor;
import dev.engram.model.ModelException;
import dev.engram.model.graph.DenseExtraction;
import dev.engram.model.onnx.proto.OnnxProto.GraphProto;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorShapeProto;
import dev.engram.model.onnx.proto.OnnxProto.ValueInfoProto;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Edits of an ONNX model's parameters: initializers replaced by float32 values (their shapes may change, and the
 * stored shapes of dependent values follow), and a dense network written back into the tensors it came from.
 * Everything else in the protobuf stays as it was.
 */
final class OnnxEdits {

    private OnnxEdits() {
    }

    /**
     * {@code proto} with the named initializers replaced; {@code extraction} gives the model's dense view (it may
     * throw {@link ModelException} for a graph that is not dense: then only the initializer shapes change).
     */
    static ModelProto withInitializers(ModelProto proto, Map<String, FloatTensor> changed,
                                       Supplier<DenseExtraction> extraction) {
        GraphProto.Builder gb = proto.getGraph().toBuilder();
        Set<String> done = new HashSet<>();
        Map<String, long[]> newShapes = new HashMap<>();
        for (int k = 0; k < gb.getInitializerCount(); k++) {
            TensorProto t = gb.getInitializer(k);
            FloatTensor v = changed.get(t.getName());
            if (v == null) {
                continue;
            }
            if (t.getDataType() != OnnxTensors.FLOAT) {
                throw new ModelException("initializer '" + t.getName() + "' is not float32");
            }
            gb.setInitializer(k, OnnxTensors.encodeInto(t.toBuilder(), v.data(), v.dims()));
            done.add(t.getName());
            if (!Arrays.equals(v.dims(), OnnxTensors.dims(t))) {
                newShapes.put(t.getName(), v.dims());
            }
        }
        for (String n : changed.keySet()) {
            if (!done.contains(n)) {
                throw new ModelException("no initializer named '" + n + "'");
            }
        }
        if (!newShapes.isEmpty()) {
            reshapeValueInfos(gb, newShapes, false);
            reshapeLayerValues(gb, newShapes, extraction);
        }
        return proto.toBuilder().setGraph(gb).build();
    }

    /** When a layer's weight changes width, the stored shapes of the layer's intermediate values follow. */
    private static void reshapeLayerValues(GraphProto.Builder gb, Map<String, long[]> newShapes,
                                           Supplier<DenseExtraction> extraction) {
        DenseExtraction ex;
        try {
            ex = extraction.get();
        } catch (ModelException e) {
            return; // not a dense graph: only initializer shapes are known
        }
        Map<String, long[]> valueShapes = new HashMap<>();
        for (int l = 0; l < ex.layers().size(); l++) {
            DenseExtraction.LayerSource src = ex.layers().get(l);
            long[] wd = src.weightName() == null ? null : newShapes.get(src.weightName());
            if (wd == null || wd.length != 2) {
                continue;
            }
            long out = src.weightTransposed() ? wd[1] : wd[0];
            int old = ex.network().layers().get(l).outputSize();
            if (out != old) {
                for (String v : src.values()) {
                    valueShapes.put(v, new long[] {old, out});
                }
            }
        }
        if (!valueShapes.isEmpty()) {
            reshapeValueInfos(gb, valueShapes, true);
        }
    }

    /** Sets the stored shapes of the named values (graph inputs/outputs, value_info); with {@code widthOnly} the
     * dims are {@code {old width, new width}} and only the last dimension equal to the old width changes. */
    private static void reshapeValueInfos(GraphProto.Builder gb, Map<String, long[]> shapes, boolean widthOnly) {
        for (int i = 0; i < gb.getInputCount(); i++) {
            ValueInfoProto v = gb.getInput(i);
            if (shapes.containsKey(v.getName())) {
                gb.setInput(i, reshape(v, shapes.get(v.getName()), widthOnly));
            }
        }
        for (int i = 0; i < gb.getOutputCount(); i++) {
            ValueInfoProto v = gb.getOutput(i);
            if (shapes.containsKey(v.getName())) {
                gb.setOutput(i, reshape(v, shapes.get(v.getName()), widthOnly));
            }
        }
        for (int i = 0; i < gb.getValueInfoCount(); i++) {
            ValueInfoProto v = gb.getValueInfo(i);
            if (shapes.containsKey(v.getName())) {
                gb.setValueInfo(i, reshape(v, shapes.get(v.getName()), widthOnly));
            }
        }
    }

    private static ValueInfoProto reshape(ValueInfoProto v, long[] dims, boolean widthOnly) {
        if (!v.hasType() || !v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
            return v;
        }
        TensorShapeProto shape = v.getType().getTensorType().getShape();
        TensorShapeProto.Builder sb = shape.toBuilder();
        if (widthOnly) {
            int r = shape.getDimCount();
            if (r == 0) {
                return v;
            }
            // dims = {old width, new width}: change the last dimension holding the old width
            int k = r - 1;
            while (k > 0 && !(shape.getDim(k).hasDimValue() && shape.getDim(k).getDimValue() == dims[0])) {
                k--;
            }
            if (!(shape.getDim(k).hasDimValue() && shape.getDim(k).getDimValue() == dims[0])) {
                return v;
            }
            sb.setDim(k, shape.getDim(k).toBuilder().setDimValue(dims[1]));
        } else {
            sb.clearDim();
            for (long d : dims) {
                sb.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
        }
        ValueInfoProto.Builder vb = v.toBuilder();
        vb.getTypeBuilder().getTensorTypeBuilder().setShape(sb);
        return vb.build();
    }

    /**
     * The initializer values that make the model compute {@code net}: the network must have the same layers and
     * activations as the extraction's; widths may differ. An entry of an existing parameter whose value the network
     * did not change keeps its stored bits ({@code current}): re-deriving it (dividing by Gemm's alpha or beta,
     * folding an input offset back) could move it by an ulp.
     */
    static Map<String, FloatTensor> denseToInitializers(DenseExtraction ex, DenseNetwork net,
                                                       Map<String, FloatTensor> current) {
        List<DenseLayer> old = ex.network().layers();
        if (net.layers().size() != old.size()) {
            throw new ModelException("the network has " + net.layers().size() + " layers, the model "
                    + old.size());
        }
        if (net.inputSize() != ex.network().inputSize()) {
            throw new ModelException("the network takes " + net.inputSize() + " inputs, the model "
                    + ex.network().inputSize());
        }
        Map<String, FloatTensor> changed = new LinkedHashMap<>();
        for (int l = 0; l < old.size(); l++) {
            DenseLayer nl = net.layers().get(l);
            DenseLayer ol = old.get(l);
            if (nl.activation() != ol.activation()
                    || (nl.activation() == Activation.LEAKY_RELU && nl.alpha() != ol.alpha())) {
                throw new ModelException("layer " + ol.name() + ": activation changed from " + ol.activation()
                        + " to " + nl.activation());
            }
            DenseExtraction.LayerSource src = ex.layers().get(l);
            storedWeight(nl, ol, src, current.get(src.weightName()), changed);
            storedBias(nl, ol, src, l == 0 ? ex.inputOffset() : null, current.get(src.biasName()), changed);
        }
        return changed;
    }

    /**
     * The layer's weight as stored: transposed or not, divided by Gemm's alpha; unchanged entries keep the bits of
     * {@code stored} (the current tensor, laid out for the old widths).
     */
    private static void storedWeight(DenseLayer nl, DenseLayer ol, DenseExtraction.LayerSource src,
                                     FloatTensor stored, Map<String, FloatTensor> changed) {
        int out = nl.outputSize();
        int in = nl.inputSize();
        boolean t = src.weightTransposed();
        float a = src.alpha();
        float[] w = new float[out * in];
        long[] wd = t ? new long[] {in, out} : new long[] {out, in};
        boolean sameLayout = stored != null && stored.data().length == ol.outputSize() * ol.inputSize();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                float v = nl.weight()[o][i];
                boolean keep = o < ol.outputSize() && i < ol.inputSize() && sameLayout
                        && sameBits(v, ol.weight()[o][i]);
                w[t ? i * out + o : o * in + i] = keep
                        ? stored.data()[t ? i * ol.outputSize() + o : o * ol.inputSize() + i] : a == 1f ? v : v / a;
            }
        }
        if (src.weightName() == null) {
            if (!sameValues(nl.weight(), ol.weight())) {
                throw new ModelException("layer " + ol.name() + ": its weight is not an initializer and cannot change");
            }
        } else {
            changed.put(src.weightName(), new FloatTensor(wd, w));
        }
    }

    /**
     * The layer's bias as stored: with the input offset folded back in ({@code b = b' + W c}), divided by beta;
     * a unit whose bias and weights the network did not change keeps the bits of {@code stored}.
     */
    private static void storedBias(DenseLayer nl, DenseLayer ol, DenseExtraction.LayerSource src,
                                   float[] inputOffset, FloatTensor stored, Map<String, FloatTensor> changed) {
        int out = nl.outputSize();
        int in = nl.inputSize();
        float[] b = nl.bias().clone();
        if (inputOffset != null) {
            for (int o = 0; o < out; o++) {
                float s = 0f;
                for (int i = 0; i < in; i++) {
                    s += nl.weight()[o][i] * inputOffset[i];
                }
                b[o] += s;
            }
        }
        if (src.beta() != 1f) {
            for (int o = 0; o < out; o++) {
                b[o] /= src.beta();
            }
        }
        if (stored != null && stored.data().length == ol.outputSize()) {
            for (int o = 0; o < Math.min(out, ol.outputSize()); o++) {
                if (unitUnchanged(nl, ol, o)) {
                    b[o] = stored.data()[o];
                }
            }
        }
        if (src.biasName() == null) {
            for (float v : nl.bias()) {
                if (v != 0f && inputOffset == null) {
                    throw new ModelException("layer " + ol.name() + " has no bias tensor to write a bias into");
                }
            }
        } else {
            long[] bd = src.biasDims().clone();
            bd[widthAxis(bd, ol.outputSize())] = out;
            changed.put(src.biasName(), new FloatTensor(bd, b));
        }
    }

    /** True when unit {@code o} has the same bias and reads the old inputs with the same weights, new ones with 0. */
    private static boolean unitUnchanged(DenseLayer nl, DenseLayer ol, int o) {
        if (!sameBits(nl.bias()[o], ol.bias()[o])) {
            return false;
        }
        for (int i = 0; i < nl.inputSize(); i++) {
            float v = nl.weight()[o][i];
            if (i < ol.inputSize() ? !sameBits(v, ol.weight()[o][i]) : v != 0f) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameBits(float a, float b) {
        return Float.floatToRawIntBits(a) == Float.floatToRawIntBits(b);
    }

    private static int widthAxis(long[] dims, int width) {
        for (int k = dims.length - 1; k >= 0; k--) {
            if (dims[k] == width) {
                return k;
            }
        }
        return dims.length - 1;
    }

    private static boolean sameValues(float[][] a, float[][] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!Arrays.equals(a[i], b[i])) {
                return false;
            }
        }
        return true;
    }
}
