package dev.engram.model.onnx;

import dev.engram.model.ModelException;
import dev.engram.model.ModelLimits;
import dev.engram.model.onnx.proto.OnnxProto.AttributeProto;
import dev.engram.model.onnx.proto.OnnxProto.GraphProto;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.NodeProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorProto;
import dev.engram.model.onnx.proto.OnnxProto.ValueInfoProto;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a parsed ONNX model before anything else uses it: node count, every initializer and attribute tensor
 * (dims within the caps, data consistent with the dims, external data inlined), unique names, and a graph where
 * every value is produced once, every read value exists, there is no cycle and every output is produced.
 * NaN/Inf weights are warnings, not errors.
 */
final class OnnxValidator {

    private OnnxValidator() {
    }

    /** The validated model (external data inlined); adds non-fatal findings to {@code warnings}. */
    static ModelProto validate(ModelProto m, Path dir, ModelLimits.Budget budget, String label,
                               List<String> warnings) {
        ModelLimits limits = budget.limits();
        if (!m.hasGraph()) {
            throw new ModelException(label + ": no graph (not an ONNX model, or truncated)");
        }
        GraphProto g = m.getGraph();
        if (g.getNodeCount() > limits.maxNodes()) {
            throw new ModelException(label + ": " + g.getNodeCount() + " nodes exceed the cap of " + limits.maxNodes());
        }
        reserveExternalData(g, budget, label);
        GraphProto.Builder gb = null;
        Set<String> names = new HashSet<>();
        for (int k = 0; k < g.getInitializerCount(); k++) {
            TensorProto t = g.getInitializer(k);
            if (!t.hasName() || t.getName().isEmpty()) {
                throw new ModelException(label + ": initializer #" + k + " has no name");
            }
            if (!names.add(t.getName())) {
                throw new ModelException(label + ": duplicate initializer '" + t.getName() + "'");
            }
            if (t.getDataLocation() == 1 || t.getExternalDataCount() > 0) {
                TensorProto inlined = ExternalData.inline(t, dir, budget, label);
                if (gb == null) {
                    gb = g.toBuilder();
                }
                gb.setInitializer(k, inlined);
                t = inlined;
            }
            checkTensor(t, budget, label, warnings);
        }
        if (gb != null) {
            g = gb.build();
            m = m.toBuilder().setGraph(g).build();
        }
        for (NodeProto n : g.getNodeList()) {
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasT()) {
                    if (a.getT().getDataLocation() == 1) {
                        throw new ModelException(label + ": node '" + n.getName() + "' has an external attribute tensor");
                    }
                    checkTensor(a.getT(), budget, label, warnings);
                }
            }
        }
        checkTopology(g, names, label);
        return m;
    }

    /**
     * Reserves the bytes every external tensor's dims need, all before any is read: the sum over tensors counts,
     * however many of them point into the same file.
     */
    private static void reserveExternalData(GraphProto g, ModelLimits.Budget budget, String label) {
        long total = 0;
        int count = 0;
        for (TensorProto t : g.getInitializerList()) {
            if (t.getDataLocation() == 1 || t.getExternalDataCount() > 0) {
                long n = budget.limits().checkDims(label + ": tensor '" + t.getName() + "'", OnnxTensors.dims(t));
                total = Math.addExact(total, n * Math.max(0, OnnxTensors.elementSize(t.getDataType())));
                count++;
            }
        }
        if (count > 0) {
            budget.reserveBytes(label + ": external data of " + count + " tensor(s)", total);
        }
    }

    private static void checkTensor(TensorProto t, ModelLimits.Budget budget, String label, List<String> warnings) {
        String what = label + ": tensor '" + t.getName() + "'";
        long[] dims = OnnxTensors.dims(t);
        long n = budget.reserveElements(what, dims);
        int es = OnnxTensors.elementSize(t.getDataType());
        if (t.hasRawData()) {
            if (es < 0) {
                throw new ModelException(what + ": raw data of unsupported data type " + t.getDataType());
            }
            long have = t.getRawData().size();
            if (have != n * es) {
                throw new ModelException(what + ": raw data has " + have + " bytes but dims "
                        + Arrays.toString(dims) + " need " + n * es);
            }
        } else {
            long have = switch (t.getDataType()) {
                case 1 -> t.getFloatDataCount();
                case 11 -> t.getDoubleDataCount();
                case 7 -> t.getInt64DataCount();
                case 12, 13 -> t.getUint64DataCount();
                case 8 -> t.getStringDataCount();
                default -> t.getInt32DataCount();
            };
            if (have != n) {
                throw new ModelException(what + ": holds " + have + " values but dims " + Arrays.toString(dims)
                        + " need " + n);
            }
        }
        if (t.getDataType() == OnnxTensors.FLOAT) {
            int bad = 0;
            if (t.hasRawData()) {
                bad = OnnxTensors.nonFiniteRaw(t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
            } else {
                for (float x : t.getFloatDataList()) {
                    if (!Float.isFinite(x)) {
                        bad++;
                    }
                }
            }
            if (bad > 0) {
                warnings.add(what + ": " + bad + " NaN/Inf value(s)");
            }
        }
    }

    private static void checkTopology(GraphProto g, Set<String> initializers, String label) {
        Map<String, Integer> producer = producers(g, initializers, label);
        Set<String> available = new HashSet<>(initializers);
        for (ValueInfoProto v : g.getInputList()) {
            available.add(v.getName());
        }
        checkAcyclic(g, producer, available, label);
        for (ValueInfoProto o : g.getOutputList()) {
            if (!producer.containsKey(o.getName()) && !available.contains(o.getName())) {
                throw new ModelException(label + ": graph output '" + o.getName() + "' is never produced");
            }
        }
    }

    /** The node producing each value; refuses values produced twice (or by a node and an initializer). */
    private static Map<String, Integer> producers(GraphProto g, Set<String> initializers, String label) {
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            for (String o : g.getNode(i).getOutputList()) {
                if (o.isEmpty()) {
                    continue;
                }
                if (producer.put(o, i) != null || initializers.contains(o)) {
                    throw new ModelException(label + ": value '" + o + "' is produced more than once");
                }
            }
        }
        return producer;
    }

    /** Refuses reads of values nobody provides, then checks the node order has no cycle (Kahn's algorithm). */
    private static void checkAcyclic(GraphProto g, Map<String, Integer> producer, Set<String> available,
                                     String label) {
        int[] indeg = new int[g.getNodeCount()];
        List<List<Integer>> succ = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            succ.add(new ArrayList<>());
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            for (String in : n.getInputList()) {
                if (in.isEmpty()) {
                    continue;
                }
                Integer p = producer.get(in);
                if (p != null) {
                    indeg[i]++;
                    succ.get(p).add(i);
                } else if (!available.contains(in)) {
                    throw new ModelException(label + ": node '" + n.getName() + "' (" + n.getOpType() + ") reads '"
                            + in + "', which is neither a graph input, an initializer nor a node output"
                            + " (missing initializer?)");
                }
            }
        }
        Deque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < indeg.length; i++) {
            if (indeg[i] == 0) {
                ready.add(i);
            }
        }
        int seen = 0;
        while (!ready.isEmpty()) {
            int i = ready.poll();
            seen++;
            for (int s : succ.get(i)) {
                if (--indeg[s] == 0) {
                    ready.add(s);
                }
            }
        }
        if (seen != g.getNodeCount()) {
            for (int i = 0; i < indeg.length; i++) {
                if (indeg[i] > 0) {
                    throw new ModelException(label + ": the graph has a cycle through node '" + g.getNode(i).getName()
                            + "' (" + g.getNode(i).getOpType() + ")");
                }
            }
        }
    }
}
