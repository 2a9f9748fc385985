package dev.engram.model.onnx;

import dev.engram.model.graph.Attribute;
import dev.engram.model.graph.Graph;
import dev.engram.model.graph.Node;
import dev.engram.model.graph.TensorValue;
import dev.engram.model.graph.ValueInfo;
import dev.engram.model.onnx.proto.OnnxProto.AttributeProto;
import dev.engram.model.onnx.proto.OnnxProto.GraphProto;
import dev.engram.model.onnx.proto.OnnxProto.NodeProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorShapeProto;
import dev.engram.model.onnx.proto.OnnxProto.TypeProto;
import dev.engram.model.onnx.proto.OnnxProto.ValueInfoProto;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a validated ONNX {@link GraphProto} into the typed {@link Graph} (every initializer decoded). */
final class ProtoToGraph {

    private ProtoToGraph() {
    }

    static Graph toGraph(GraphProto g) {
        Map<String, TensorValue> inits = new LinkedHashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            inits.put(t.getName(), OnnxTensors.decode(t));
        }
        List<Node> nodes = new ArrayList<>();
        for (NodeProto n : g.getNodeList()) {
            nodes.add(node(n));
        }
        List<ValueInfo> ins = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) {
            ins.add(valueInfo(v));
        }
        List<ValueInfo> outs = new ArrayList<>();
        for (ValueInfoProto v : g.getOutputList()) {
            outs.add(valueInfo(v));
        }
        Map<String, ValueInfo> vis = new LinkedHashMap<>();
        for (ValueInfoProto v : g.getValueInfoList()) {
            vis.put(v.getName(), valueInfo(v));
        }
        return new Graph(g.getName(), ins, outs, nodes, inits, vis);
    }

    private static Node node(NodeProto n) {
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        for (AttributeProto a : n.getAttributeList()) {
            attrs.put(a.getName(), new Attribute(a.getName(), a.getType(), a.getF(), a.getI(),
                    a.getS().toStringUtf8(),
                    toArray(a.getFloatsList()), a.getIntsList().stream().mapToLong(Long::longValue).toArray(),
                    a.hasT() ? OnnxTensors.decode(a.getT()) : null));
        }
        return new Node(n.getName(), n.getOpType(), n.getDomain(), n.getInputList(), n.getOutputList(), attrs);
    }

    private static float[] toArray(List<Float> l) {
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = l.get(i);
        }
        return f;
    }

    private static ValueInfo valueInfo(ValueInfoProto v) {
        if (!v.hasType() || !v.getType().hasTensorType()) {
            return new ValueInfo(v.getName(), 0, null, null);
        }
        TypeProto.Tensor t = v.getType().getTensorType();
        if (!t.hasShape()) {
            return new ValueInfo(v.getName(), t.getElemType(), null, null);
        }
        int r = t.getShape().getDimCount();
        long[] dims = new long[r];
        String[] params = new String[r];
        for (int i = 0; i < r; i++) {
            TensorShapeProto.Dimension d = t.getShape().getDim(i);
            dims[i] = d.hasDimValue() ? d.getDimValue() : -1;
            params[i] = d.hasDimParam() ? d.getDimParam() : null;
        }
        return new ValueInfo(v.getName(), t.getElemType(), dims, params);
    }
}
