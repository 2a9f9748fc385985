package dev.engram.model.graph;

import java.util.List;
import java.util.Map;

/** One operator application: {@code outputs = opType(inputs; attributes)}. Empty input names are absent inputs. */
public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                   Map<String, Attribute> attributes) {

    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
    }

    /** A readable label for error messages: the node's name, or its op type and first output. */
    public String label() {
        return (name == null || name.isEmpty() ? "<unnamed>" : name) + " (" + opType + " -> "
                + (outputs.isEmpty() ? "" : outputs.get(0)) + ")";
    }

    public long intAttr(String key, long dflt) {
        Attribute a = attributes.get(key);
        return a == null ? dflt : a.i();
    }

    public float floatAttr(String key, float dflt) {
        Attribute a = attributes.get(key);
        return a == null ? dflt : a.f();
    }
}
