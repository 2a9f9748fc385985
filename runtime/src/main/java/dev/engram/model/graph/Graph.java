package dev.engram.model.graph;

import java.util.List;
import java.util.Map;

/**
 * A typed view of a model graph: inputs and outputs (initializers excluded), nodes in file order and the
 * constant tensors (initializers) by name. Independent of the file format; built by the ONNX reader.
 */
public record Graph(String name, List<ValueInfo> inputs, List<ValueInfo> outputs, List<Node> nodes,
                    Map<String, TensorValue> initializers, Map<String, ValueInfo> valueInfos) {

    public Graph {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        nodes = List.copyOf(nodes);
        initializers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(initializers));
        valueInfos = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(valueInfos));
    }

    /** Total number of float parameters held in initializers. */
    public long parameterCount() {
        long n = 0;
        for (TensorValue t : initializers.values()) {
            n += t.elementCount();
        }
        return n;
    }
}
