package dev.engram.model.torch;

import dev.engram.model.ModelException;
import dev.engram.model.ModelLimits;
import dev.engram.model.torch.TorchExpr.Attr;
import dev.engram.model.torch.TorchExpr.Call;
import dev.engram.model.torch.TorchExpr.Literal;
import dev.engram.model.torch.TorchExpr.Name;
import dev.engram.model.torch.TorchSource.ClassDef;
import dev.engram.model.torch.TorchSource.Function;
import dev.engram.model.torch.TorchSource.Line;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the network a TorchScript module computes from its archive, exactly: the root class named in
 * {@code data.pkl}, then its {@code forward} evaluated symbolically over the archive's own code. The input flows
 * through {@code torch.linear(x, weight, bias)} and {@code torch.relu(x)} (as {@code nn.Linear}, {@code nn.ReLU},
 * {@code nn.functional.relu} and {@code nn.Sequential} print them); branches are followed only on constants.
 * Anything else, such as a branch on the data, arithmetic on tensors or another operator, is refused with the
 * statement named: the structure is never guessed.
 */
final class TorchStructure {

    /** One dense layer: its weight and bias parameters (bias may be null) and whether a ReLU follows. */
    record Layer(String weight, String bias, boolean relu) {
    }

    /** Symbolic values of the evaluation. */
    private sealed interface Value {
    }

    /** The network input after the listed operations ({@link Linear} or {@link #RELU}). */
    private record Chain(List<Object> ops) implements Value {
    }

    private record Linear(String weight, String bias) {
    }

    private static final String RELU = "relu";

    private record Module(String path, String type) implements Value {
    }

    private record Param(String name) implements Value {
    }

    private record Forward(Module self) implements Value {
    }

    /** A global name such as {@code torch.relu} or {@code __torch__.torch.nn.functional.relu}. */
    private record Global(String dotted) implements Value {
    }

    private record Const(Object value) implements Value {
    }

    private static final Pattern ASSIGN = Pattern.compile("(\\w+) = (.+)");
    private static final long MAX_CODE_BYTES = 1 << 20;

    private final String label;
    private final TorchArchive archive;
    private final String prefix;
    private final int maxDepth;
    private final int maxSteps;
    private final Map<String, TorchSource> sources = new HashMap<>();
    private int steps;
    private String where = "";

    private TorchStructure(String label, TorchArchive archive, ModelLimits limits) {
        this.label = label;
        this.archive = archive;
        this.prefix = archive.prefix();
        this.maxDepth = limits.maxDepth();
        this.maxSteps = limits.maxNodes();
    }

    /** The layers the module computes, read from its code; throws {@link ModelException} saying why not. */
    static List<Layer> read(String label, TorchArchive archive, ModelLimits limits) {
        return new TorchStructure(label, archive, limits).read();
    }

    private List<Layer> read() {
        try {
            Module root = new Module("", rootType());
            Function forward = classOf(root).methods().get("forward");
            if (forward == null || forward.params().size() != 2) {
                throw new TorchExpr.Unsupported("the root module has no forward(self, input)");
            }
            Value out = call(forward, List.of(root, new Chain(List.of())), 0);
            if (!(out instanceof Chain c)) {
                throw new TorchExpr.Unsupported("forward does not return the network's output tensor");
            }
            return layers(c.ops());
        } catch (TorchExpr.Unsupported e) {
            throw new ModelException(label + ": cannot read the network exactly from the TorchScript code: "
                    + e.getMessage() + where + ". Engram reads chains of torch.linear and torch.relu (nn.Linear,"
                    + " nn.ReLU, nn.Sequential) and does not prove properties of a structure guessed from samples");
        }
    }

    /** The root class, from the first GLOBAL opcode of {@code data.pkl} (pickle protocol 2). */
    private String rootType() {
        byte[] pkl = archive.read(prefix + "data.pkl", Long.MAX_VALUE);
        if (pkl == null || pkl.length < 4 || (pkl[0] & 0xff) != 0x80 || pkl[2] != 'c') {
            throw new TorchExpr.Unsupported("data.pkl does not start with the root module's class");
        }
        int a = 3;
        int nl1 = indexOf(pkl, (byte) '\n', a, 512);
        int nl2 = nl1 < 0 ? -1 : indexOf(pkl, (byte) '\n', nl1 + 1, 512);
        if (nl2 < 0) {
            throw new TorchExpr.Unsupported("data.pkl does not name the root module's class");
        }
        String module = new String(pkl, a, nl1 - a, StandardCharsets.UTF_8);
        return module + "." + new String(pkl, nl1 + 1, nl2 - nl1 - 1, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] b, byte v, int from, int max) {
        for (int i = from; i < Math.min(b.length, from + max); i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /** The parsed code file of a qualified name's module ({@code __torch__.a.b.C} is in {@code code/__torch__/a/b.py}). */
    private TorchSource source(String qualified) {
        int dot = qualified.lastIndexOf('.');
        if (!qualified.startsWith("__torch__") || dot < 0) {
            throw new TorchExpr.Unsupported("'" + qualified + "' is not code of the archive");
        }
        String file = prefix + "code/" + qualified.substring(0, dot).replace('.', '/') + ".py";
        TorchSource s = sources.get(file);
        if (s == null) {
            byte[] b = archive.read(file, MAX_CODE_BYTES);
            if (b == null) {
                throw new TorchExpr.Unsupported("the archive has no code for '" + qualified + "'");
            }
            s = TorchSource.parse(new String(b, StandardCharsets.UTF_8));
            sources.put(file, s);
        }
        return s;
    }

    private ClassDef classOf(Module m) {
        ClassDef c = source(m.type()).classes.get(m.type().substring(m.type().lastIndexOf('.') + 1));
        if (c == null) {
            throw new TorchExpr.Unsupported("the archive has no class '" + m.type() + "'");
        }
        return c;
    }

    // ------------------------------------------------------------------------------------------- evaluation

    private Value call(Function f, List<Value> args, int depth) {
        if (depth > maxDepth) {
            throw new TorchExpr.Unsupported("calls nested deeper than " + maxDepth);
        }
        if (args.size() > f.params().size()) {
            throw new TorchExpr.Unsupported(f.name() + " called with " + args.size() + " arguments");
        }
        Map<String, Value> locals = new HashMap<>();
        for (int i = 0; i < f.params().size(); i++) {
            if (i < args.size()) {
                locals.put(f.params().get(i), args.get(i));
            } else if (f.defaults().get(i) != null) {
                locals.put(f.params().get(i), eval(TorchExpr.parse(f.defaults().get(i)), locals, depth));
            } else {
                throw new TorchExpr.Unsupported(f.name() + " is missing argument " + f.params().get(i));
            }
        }
        Value v = run(f.body(), locals, depth);
        if (v == null) {
            throw new TorchExpr.Unsupported(f.name() + " returns nothing");
        }
        return v;
    }

    /** Runs a block; returns the value of its {@code return}, or null when it falls through. */
    private Value run(List<Line> block, Map<String, Value> locals, int depth) {
        int i = 0;
        while (i < block.size()) {
            Line l = block.get(i);
            int end = TorchSource.blockEnd(block, i);
            if (++steps > maxSteps) {
                throw new TorchExpr.Unsupported("more than " + maxSteps + " statements run");
            }
            where = " (code line " + l.number() + ": '" + shorten(l.text()) + "')";
            String t = l.text();
            Matcher m;
            if (t.startsWith("return ")) {
                return eval(TorchExpr.parse(t.substring(7)), locals, depth);
            } else if (t.startsWith("if ") && t.endsWith(":")) {
                Value c = eval(TorchExpr.parse(t.substring(3, t.length() - 1)), locals, depth);
                if (!(c instanceof Const k) || !(k.value() instanceof Boolean b)) {
                    throw new TorchExpr.Unsupported("a branch that depends on the data");
                }
                List<Line> chosen = b ? block.subList(i + 1, end) : List.of();
                if (end < block.size() && block.get(end).text().equals("else:")
                        && block.get(end).indent() == l.indent()) {
                    int elseEnd = TorchSource.blockEnd(block, end);
                    chosen = b ? chosen : block.subList(end + 1, elseEnd);
                    end = elseEnd;
                }
                Value r = run(chosen, locals, depth);
                if (r != null) {
                    return r;
                }
            } else if ((m = ASSIGN.matcher(t)).matches()) {
                locals.put(m.group(1), eval(TorchExpr.parse(m.group(2)), locals, depth));
            } else if (!t.equals("pass")) {
                throw new TorchExpr.Unsupported("a statement outside the readable subset");
            }
            i = end;
        }
        return null;
    }

    private static String shorten(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    private Value eval(TorchExpr e, Map<String, Value> locals, int depth) {
        if (e instanceof Literal l) {
            return new Const(l.value());
        }
        if (e instanceof Name n) {
            Value v = locals.get(n.id());
            return v != null ? v : new Global(n.id());
        }
        if (e instanceof Attr a) {
            Value t = eval(a.target(), locals, depth);
            if (t instanceof Global g) {
                return new Global(g.dotted() + "." + a.name());
            }
            if (t instanceof Module m) {
                return a.name().equals("forward") ? new Forward(m) : attribute(m, a.name());
            }
            throw new TorchExpr.Unsupported("attribute '" + a.name() + "' of a tensor or constant");
        }
        Call c = (Call) e;
        Value f = eval(c.callee(), locals, depth);
        List<Value> args = new ArrayList<>();
        for (TorchExpr x : c.args()) {
            args.add(eval(x, locals, depth));
        }
        return apply(f, args, depth);
    }

    private Value apply(Value f, List<Value> args, int depth) {
        if (f instanceof Forward fw) {
            Function forward = classOf(fw.self()).methods().get("forward");
            if (forward == null) {
                throw new TorchExpr.Unsupported("class '" + fw.self().type() + "' has no forward");
            }
            List<Value> all = new ArrayList<>();
            all.add(fw.self());
            all.addAll(args);
            return call(forward, all, depth + 1);
        }
        String name = f instanceof Global g ? g.dotted() : "a value that is not a function";
        switch (name) {
            case "getattr" -> {
                if (args.size() == 2 && args.get(0) instanceof Module m && args.get(1) instanceof Const k
                        && k.value() instanceof String s) {
                    return attribute(m, s);
                }
            }
            case "torch.relu", "torch.relu_" -> {
                if (args.size() == 1 && args.get(0) instanceof Chain x) {
                    return append(x, RELU);
                }
            }
            case "torch.linear" -> {
                if (args.size() == 3 && args.get(0) instanceof Chain x && args.get(1) instanceof Param w
                        && (args.get(2) instanceof Param || args.get(2) instanceof Const k && k.value() == null)) {
                    return append(x, new Linear(w.name(), args.get(2) instanceof Param b ? b.name() : null));
                }
            }
            default -> {
                if (name.startsWith("__torch__.")) {
                    Function fn = source(name).functions.get(name.substring(name.lastIndexOf('.') + 1));
                    if (fn != null) {
                        return call(fn, args, depth + 1);
                    }
                }
                throw new TorchExpr.Unsupported("a call of '" + name + "'");
            }
        }
        throw new TorchExpr.Unsupported("a call of '" + name + "' with arguments it is not read for");
    }

    private static Chain append(Chain x, Object op) {
        List<Object> ops = new ArrayList<>(x.ops());
        ops.add(op);
        return new Chain(List.copyOf(ops));
    }

    private Value attribute(Module m, String name) {
        ClassDef c = classOf(m);
        String type = c.attributes().get(name);
        if ("NoneType".equals(type)) { // e.g. the bias of nn.Linear(bias=False), still listed as a parameter
            return new Const(null);
        }
        if (c.parameters().contains(name)) {
            return new Param(m.path() + name);
        }
        if (type != null && type.startsWith("__torch__.")) {
            return new Module(m.path() + name + ".", type);
        }
        throw new TorchExpr.Unsupported("attribute '" + name + "' of class " + c.name()
                + " is neither a parameter nor a submodule");
    }

    /** Linear layers, each optionally followed by one ReLU. */
    private List<Layer> layers(List<Object> ops) {
        where = "";
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (!(ops.get(i) instanceof Linear lin)) {
                throw new TorchExpr.Unsupported(i == 0 ? "the input goes through a ReLU before any linear layer"
                        : "two ReLUs in a row");
            }
            boolean relu = i + 1 < ops.size() && ops.get(i + 1) == RELU;
            layers.add(new Layer(lin.weight(), lin.bias(), relu));
            i += relu ? 1 : 0;
        }
        if (layers.isEmpty()) {
            throw new TorchExpr.Unsupported("forward returns its input unchanged");
        }
        return layers;
    }
}
