package dev.engram.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a table's columns become model inputs, fitted once on training data and re-applied unchanged to test data.
 * Numerical columns become one slot {@code model = (real - mean) / range} (mean and range = max - min of the
 * training data; a missing value becomes the mean, i.e. 0). Categorical columns become a one-hot block with one slot
 * per level in the column's stable level order; a missing or unseen value is the all-zero block. The label column's
 * levels are the classes, in the same order as the model's outputs.
 *
 * <p>Each feature also carries an identifier valid in the rule language, so that {@link #declarations} can write
 * the model's {@code input}/{@code normalize}/{@code output} lines in real units.
 */
public record Encoding(List<Feature> features, Label label) {

    /**
     * The last line of {@link #declarations}: text after it in an existing file is the user's and is kept when the
     * declarations are regenerated.
     */
    public static final String END_MARKER = "// ---- end of generated declarations; rules below this line are kept when regenerating ----";

    /** Words of the rule language that cannot be used as names. */
    static final Set<String> KEYWORDS = Set.of("and", "argmax", "argmin", "as", "at", "column", "concept", "decide",
            "decision", "decreasing", "ensure", "erase", "from", "guard", "ignore", "import", "in", "increasing",
            "input", "is", "layer", "margin", "maximal", "mean", "minimal", "model", "monotone", "normalize", "not",
            "of", "offset", "one", "or", "output", "over", "pi", "property", "range", "repair", "rule", "scale",
            "steer", "strength", "the", "then", "toward", "using", "vnnlib", "when");

    public Encoding {
        features = List.copyOf(features);
        Objects.requireNonNull(label);
        int next = 0;
        for (Feature f : features) {
            if (f.index() != next) {
                throw new IllegalArgumentException("feature " + f.name() + " at slot " + f.index() + ", expected " + next);
            }
            next += f.width();
        }
    }

    /** One input column and the slots it occupies. */
    public sealed interface Feature permits Numeric, Categorical {
        /** The column's name in the data. */
        String name();

        /** The name in the rule language. */
        String id();

        /** First model input slot. */
        int index();

        /** Number of slots. */
        int width();
    }

    /** A numerical column: {@code model = (real - mean) / range}; {@code [lo, hi]} is the training data's range. */
    public record Numeric(String name, String id, int index, double mean, double range, double lo, double hi)
            implements Feature {
        public Numeric {
            if (!(range != 0 && Double.isFinite(range))) {
                throw new IllegalArgumentException("feature " + name + ": range must be finite and non-zero");
            }
        }

        @Override
        public int width() {
            return 1;
        }

        /** The model value of a real value (NaN, i.e. missing, becomes 0, the mean). */
        public double encode(double real) {
            return Double.isNaN(real) ? 0 : (real - mean) / range;
        }
    }

    /** A categorical column: slot {@code index + k} is 1 when the value is {@code values.get(k)}. */
    public record Categorical(String name, String id, int index, List<String> values, List<String> valueIds)
            implements Feature {
        public Categorical {
            values = List.copyOf(values);
            valueIds = List.copyOf(valueIds);
            if (values.size() != valueIds.size() || values.isEmpty()) {
                throw new IllegalArgumentException("feature " + name + ": needs one identifier per value");
            }
        }

        @Override
        public int width() {
            return values.size();
        }
    }

    /** The label column: {@code classes.get(k)} is model output {@code k}; {@code ids} name them in the rule language. */
    public record Label(String name, List<String> classes, List<String> ids) {
        public Label {
            classes = List.copyOf(classes);
            ids = List.copyOf(ids);
            if (classes.size() < 2 || classes.size() != ids.size()) {
                throw new IllegalArgumentException("label " + name + " needs at least two classes, one id each");
            }
        }
    }

    /**
     * Fits the encoding on {@code train}: every column but {@code label} is a feature, in table order. A numerical
     * label (e.g. 0/1) is read as categories in numerical order.
     */
    public static Encoding fit(Table train, String label) {
        Column.Categorical lcat = labelColumn(train, label);
        Set<String> used = new HashSet<>();
        List<Feature> features = new ArrayList<>();
        int index = 0;
        for (Column c : train.columns()) {
            if (c.name().equals(label)) {
                continue;
            }
            String id = unique(identifier(c.name()), used);
            if (c instanceof Column.Numeric n) {
                double sum = 0;
                int count = 0;
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                for (double v : n.values()) {
                    if (!Double.isNaN(v)) {
                        sum += v;
                        count++;
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
                if (count == 0) {
                    throw new IllegalArgumentException("column '" + c.name() + "' has no values");
                }
                double range = hi > lo ? hi - lo : 1;
                features.add(new Numeric(c.name(), id, index, sum / count, range, lo, hi));
                index++;
            } else {
                Column.Categorical k = (Column.Categorical) c;
                if (k.levels().isEmpty()) {
                    throw new IllegalArgumentException("column '" + c.name() + "' has no values");
                }
                Set<String> local = new HashSet<>();
                List<String> ids = new ArrayList<>();
                for (String v : k.levels()) {
                    ids.add(unique(identifier(v), local));
                }
                features.add(new Categorical(c.name(), id, index, k.levels(), ids));
                index += k.levels().size();
            }
        }
        List<String> classIds = new ArrayList<>();
        for (String v : lcat.levels()) {
            classIds.add(unique(identifier(label + "_" + v), used));
        }
        return new Encoding(features, new Label(label, lcat.levels(), classIds));
    }

    /** Total number of model inputs. */
    public int width() {
        int w = 0;
        for (Feature f : features) {
            w += f.width();
        }
        return w;
    }

    /** The feature of a column, by data name or rule-language id. */
    public Feature feature(String name) {
        for (Feature f : features) {
            if (f.name().equals(name) || f.id().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no feature '" + name + "'");
    }

    /** The model input slots of a feature. */
    public int[] slots(String name) {
        Feature f = feature(name);
        int[] s = new int[f.width()];
        for (int k = 0; k < s.length; k++) {
            s[k] = f.index() + k;
        }
        return s;
    }

    /**
     * Encodes a table with the same columns (by name) as the training table. Rows whose label is missing are
     * dropped; a label not among the classes is an error (strip suffixes first, see {@link Table#withoutSuffix}).
     */
    public Dataset encode(Table t) {
        Column.Categorical lc = labelColumn(t, label.name());
        int[] classOf = new int[lc.levels().size()];
        for (int i = 0; i < classOf.length; i++) {
            classOf[i] = label.classes().indexOf(lc.levels().get(i));
            if (classOf[i] < 0) {
                throw new IllegalArgumentException("label value '" + lc.levels().get(i) + "' is not a class ("
                        + String.join(", ", label.classes()) + ")");
            }
        }
        List<int[]> maps = new ArrayList<>();
        List<Column> cols = new ArrayList<>();
        for (Feature f : features) {
            Column c = t.column(f.name());
            cols.add(c);
            if (f instanceof Categorical k) {
                if (!(c instanceof Column.Categorical cc)) {
                    throw new IllegalArgumentException("column '" + f.name() + "' is categorical in the encoding");
                }
                int[] m = new int[cc.levels().size()];
                for (int i = 0; i < m.length; i++) {
                    m[i] = k.values().indexOf(cc.levels().get(i));
                }
                maps.add(m);
            } else {
                if (!(c instanceof Column.Numeric)) {
                    throw new IllegalArgumentException("column '" + f.name() + "' is numerical in the encoding");
                }
                maps.add(null);
            }
        }
        int n = 0;
        for (int r = 0; r < t.rows(); r++) {
            if (!lc.missing(r)) {
                n++;
            }
        }
        float[][] x = new float[n][width()];
        int[] y = new int[n];
        int row = 0;
        for (int r = 0; r < t.rows(); r++) {
            if (lc.missing(r)) {
                continue;
            }
            y[row] = classOf[lc.codes()[r]];
            for (int j = 0; j < features.size(); j++) {
                Feature f = features.get(j);
                if (f instanceof Numeric num) {
                    x[row][f.index()] = (float) num.encode(((Column.Numeric) cols.get(j)).values()[r]);
                } else {
                    int code = ((Column.Categorical) cols.get(j)).codes()[r];
                    int k = code < 0 ? -1 : maps.get(j)[code];
                    if (k >= 0) {
                        x[row][f.index() + k] = 1f;
                    }
                }
            }
            row++;
        }
        return new Dataset(x, y, label.classes());
    }

    /**
     * The rule-language declarations of a model trained with this encoding: {@code model}, one {@code input} per
     * feature (real inputs with their training range and a {@code normalize} line, categoricals as one-hot blocks),
     * one {@code output} per class and {@code decide argmax}, then {@link #END_MARKER}. {@code header} lines become
     * comments on top.
     */
    public String declarations(String modelPath, List<String> header) {
        StringBuilder sb = new StringBuilder();
        for (String h : header) {
            sb.append("// ").append(h).append('\n');
        }
        sb.append("// Inputs are in real units; `normalize X mean M range R` means model = (X - M) / R.\n");
        sb.append("// Categorical inputs are one-hot blocks (a missing value is the all-zero block).\n\n");
        sb.append("model \"").append(modelPath.replace("\\", "/").replace("\"", "")).append("\"\n");
        for (Feature f : features) {
            sb.append('\n');
            if (f instanceof Numeric n) {
                sb.append("/// ").append(n.name()).append(": numerical, training range [").append(number(n.lo()))
                        .append(", ").append(number(n.hi())).append("], mean ").append(number(n.mean())).append(".\n");
                sb.append("input ").append(n.id()).append(" at ").append(n.index()).append(" in [")
                        .append(number(n.lo())).append(", ").append(number(n.hi())).append("]\n");
                sb.append("normalize ").append(n.id()).append(" mean ").append(number(n.mean())).append(" range ")
                        .append(number(n.range())).append('\n');
            } else {
                Categorical c = (Categorical) f;
                sb.append("/// ").append(c.name()).append(": one-hot over slots ").append(c.index()).append("..")
                        .append(c.index() + c.width() - 1).append(" (").append(String.join(", ", quoteAll(c.values())))
                        .append(").\n");
                sb.append("input ").append(c.id()).append(" at ").append(c.index()).append(" one of {")
                        .append(String.join(", ", c.valueIds())).append("}\n");
            }
        }
        sb.append('\n');
        for (int k = 0; k < label.classes().size(); k++) {
            sb.append("/// Score (logit) of ").append(label.name()).append(" = \"").append(label.classes().get(k))
                    .append("\".\n");
            sb.append("output ").append(label.ids().get(k)).append(" at ").append(k).append('\n');
        }
        sb.append("\n/// The predicted class is the output with the highest score.\ndecide argmax\n\n");
        sb.append(END_MARKER).append('\n');
        return sb.toString();
    }

    private static Column.Categorical labelColumn(Table t, String label) {
        Column c = t.column(label);
        return c instanceof Column.Numeric n ? n.asCategorical() : (Column.Categorical) c;
    }

    private static List<String> quoteAll(List<String> values) {
        return values.stream().map(v -> "\"" + v.replace("\n", " ") + "\"").toList();
    }

    /** A number as the rule language reads it: integers without a fraction, else the shortest round-trip form. */
    static String number(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("not a finite number: " + v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = Double.toString(v);
        return s.contains("E") && !s.contains(".") ? s.replace("E", ".0E") : s;
    }

    /**
     * An identifier of the rule language for an arbitrary string: comparison operators spelled out
     * ({@code <=} becomes {@code le}), other characters outside {@code [A-Za-z0-9_]} become {@code _}, a leading digit
     * gets a {@code v_} prefix and keywords a trailing {@code _}.
     */
    public static String identifier(String s) {
        String t = s.replace("<=", "_le_").replace(">=", "_ge_").replace("<", "_lt_").replace(">", "_gt_")
                .replace("=", "_eq_").replace("+", "_plus_");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t.length(); i++) {
            char ch = t.charAt(i);
            boolean ok = ch < 128 && (Character.isLetterOrDigit(ch) || ch == '_');
            char c = ok ? ch : '_';
            if (c == '_' && (sb.length() == 0 || sb.charAt(sb.length() - 1) == '_')) {
                continue;
            }
            sb.append(c);
        }
        while (sb.length() > 0 && sb.charAt(sb.length() - 1) == '_') {
            sb.setLength(sb.length() - 1);
        }
        String id = sb.length() == 0 ? "v" : sb.toString();
        if (Character.isDigit(id.charAt(0))) {
            id = "v_" + id;
        }
        if (KEYWORDS.contains(id)) {
            id = id + "_";
        }
        return id;
    }

    private static String unique(String id, Set<String> used) {
        String u = id;
        for (int k = 2; !used.add(u); k++) {
            u = id + "_" + k;
        }
        return u;
    }
}
