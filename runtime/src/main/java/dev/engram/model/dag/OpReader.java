package dev.engram.model.dag;

import dev.engram.model.ModelException;
import dev.engram.model.graph.Attribute;
import dev.engram.model.graph.Node;
import dev.engram.model.graph.TensorValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What an operator's {@code read} sees of one node: its attributes (each one read is marked understood; any other
 * is refused by {@link GraphToDag}), its inputs as data (an argument of the node) or as constants, their shapes,
 * and the model's limits. Every failure is a {@link ModelException} naming the node.
 */
public final class OpReader {

    /** ONNX attribute type codes. */
    private static final int FLOAT = 1;
    private static final int INT = 2;
    private static final int STRING = 3;
    private static final int TENSOR = 4;
    private static final int FLOATS = 6;
    private static final int INTS = 7;

    private final Node node;
    private final GraphToDag.Values values;
    private final Set<String> read = new HashSet<>();
    private final List<String> args = new ArrayList<>();

    OpReader(Node node, GraphToDag.Values values) {
        this.node = node;
        this.values = values;
    }

    public Node node() {
        return node;
    }

    /** The names of the node's data arguments, in the order {@link #data} was asked for them. */
    List<String> args() {
        return args;
    }

    /** Attributes present but never read. */
    List<String> unread() {
        List<String> out = new ArrayList<>();
        for (String a : node.attributes().keySet()) {
            if (!read.contains(a)) {
                out.add(a);
            }
        }
        return out;
    }

    /** An error about this node. */
    public ModelException error(String message) {
        return new ModelException("node " + node.label() + ": " + message);
    }

    // ------------------------------------------------------------------------------------------------- inputs

    /** Inputs present (trailing empty names dropped). */
    public int inputCount() {
        int n = node.inputs().size();
        while (n > 0 && node.inputs().get(n - 1).isEmpty()) {
            n--;
        }
        return n;
    }

    /** Requires between {@code min} and {@code max} inputs. */
    public void inputs(int min, int max) {
        int n = inputCount();
        if (n < min || n > max) {
            throw error(node.opType() + " takes " + (min == max ? "" + min : min + " to " + max) + " inputs, found "
                    + n);
        }
    }

    /** Whether input {@code i} is given. */
    public boolean has(int i) {
        return i < node.inputs().size() && !node.inputs().get(i).isEmpty();
    }

    /** Whether input {@code i} is a constant (an initializer, a Constant node's value, or folded). */
    public boolean isConstant(int i) {
        return has(i) && values.constant(node.inputs().get(i)) != null;
    }

    /** Input {@code i} as a constant; refused when it is computed by the graph or absent. */
    public TensorValue constant(int i) {
        if (!has(i)) {
            throw error("input " + i + " is missing");
        }
        TensorValue t = values.constant(node.inputs().get(i));
        if (t == null) {
            throw error("input " + i + " ('" + node.inputs().get(i) + "') must be a constant; it is computed by the"
                    + " graph, which " + node.opType() + " does not support here");
        }
        return t;
    }

    /** Input {@code i} as float constant values. */
    public float[] floats(int i) {
        TensorValue t = constant(i);
        if (!t.isFloat()) {
            throw error("input " + i + " ('" + t.name() + "') must be a float tensor (data type " + t.dataType() + ")");
        }
        return t.floats();
    }

    /** Input {@code i} as integer constant values (INT32/INT64). */
    public long[] longs(int i) {
        TensorValue t = constant(i);
        if (t.longs() == null) {
            throw error("input " + i + " ('" + t.name() + "') must be an integer tensor (data type " + t.dataType()
                    + ")");
        }
        return t.longs();
    }

    /** The per-sample shape of input {@code i}, data or constant. */
    public Shape shape(int i) {
        if (!has(i)) {
            throw error("input " + i + " is missing");
        }
        String name = node.inputs().get(i);
        TensorValue t = values.constant(name);
        if (t != null) {
            return values.shapeOf(t, this);
        }
        Shape s = values.shape(name);
        if (s == null) {
            throw error("reads '" + name + "', which no earlier node computes (nodes out of order, a cycle, or a"
                    + " missing value)");
        }
        return s;
    }

    /** Takes input {@code i} as the node's next data argument (a constant is fed as data too) and returns its shape. */
    public Shape data(int i) {
        Shape s = shape(i);
        TensorValue t = values.constant(node.inputs().get(i));
        if (t != null && !t.isFloat()) {
            throw error("input " + i + " ('" + t.name() + "') is an integer tensor used as data; integer arithmetic"
                    + " (computed shapes) is not supported");
        }
        args.add(node.inputs().get(i));
        return s;
    }

    /** Checks a shape computed from the file against the limits and returns it. */
    public Shape checked(String what, long[] dims) {
        values.limits().checkDims("node " + node.label() + ": " + what, dims);
        int[] d = new int[dims.length];
        for (int k = 0; k < d.length; k++) {
            d[k] = (int) dims[k];
        }
        return new Shape(d);
    }

    // --------------------------------------------------------------------------------------------- attributes

    private Attribute attr(String name, int type) {
        read.add(name);
        Attribute a = node.attributes().get(name);
        if (a != null && a.type() != type) {
            throw error("attribute '" + name + "' has type " + typeName(a.type()) + ", expected " + typeName(type));
        }
        return a;
    }

    private static String typeName(int type) {
        return switch (type) {
            case FLOAT -> "FLOAT";
            case INT -> "INT";
            case STRING -> "STRING";
            case TENSOR -> "TENSOR";
            case FLOATS -> "FLOATS";
            case INTS -> "INTS";
            default -> "type " + type;
        };
    }

    /** Whether the node has attribute {@code name} (not marking it read). */
    public boolean hasAttr(String name) {
        return node.attributes().containsKey(name);
    }

    public long intAttr(String name, long dflt) {
        Attribute a = attr(name, INT);
        return a == null ? dflt : a.i();
    }

    public float floatAttr(String name, float dflt) {
        Attribute a = attr(name, FLOAT);
        return a == null ? dflt : a.f();
    }

    public String stringAttr(String name, String dflt) {
        Attribute a = attr(name, STRING);
        return a == null ? dflt : a.s();
    }

    /** An INTS attribute, or {@code dflt} (may be null) when absent. */
    public long[] intsAttr(String name, long[] dflt) {
        Attribute a = attr(name, INTS);
        return a == null ? dflt : a.ints().clone();
    }

    public float[] floatsAttr(String name, float[] dflt) {
        Attribute a = attr(name, FLOATS);
        return a == null ? dflt : a.floats().clone();
    }

    public TensorValue tensorAttr(String name) {
        Attribute a = attr(name, TENSOR);
        return a == null ? null : a.t();
    }

    /** Marks attributes as understood whatever their value (they do not change the result). */
    public void ignore(String... names) {
        read.addAll(Arrays.asList(names));
    }

    /** Requires an integer attribute to have one of the given values (e.g. {@code training_mode} 0). */
    public long intAttrIn(String name, long dflt, long... allowed) {
        long v = intAttr(name, dflt);
        for (long a : allowed) {
            if (a == v) {
                return v;
            }
        }
        throw error("attribute " + name + "=" + v + " is not supported (supported: " + Arrays.toString(allowed) + ")");
    }

    /** Normalises an axis in [-rank, rank) to [0, rank). */
    public int axis(long axis, int rank, String what) {
        if (axis < -rank || axis >= rank) {
            throw error(what + " " + axis + " is out of range for rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }
}
