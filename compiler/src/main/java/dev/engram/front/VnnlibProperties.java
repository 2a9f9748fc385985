package dev.engram.front;

import dev.engram.diag.Diagnosed;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.source.Span;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import dev.engram.vnnlib.VnnlibSpec;
import dev.engram.vnnlib.VnnlibSpec.And;
import dev.engram.vnnlib.VnnlibSpec.Comparison;
import dev.engram.vnnlib.VnnlibSpec.Formula;
import dev.engram.vnnlib.VnnlibSpec.Or;
import dev.engram.vnnlib.VnnlibSpec.Relation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a VNN-LIB spec into verification problems. The conjunction of the assertions is expanded into a
 * disjunction of conjunctions of comparisons; in each conjunction the comparisons over inputs {@code X_i} only
 * form the input region (bounds of one variable become the box, others become linear input constraints) and the
 * comparisons over outputs {@code Y_j} only form one conjunction of the unsafe set. Conjunctions with the same
 * input part share one {@link Property}; the spec is violated when any of the returned properties is.
 * Strict inequalities are read as non-strict (sound for proofs; see the verifier notes).
 */
public final class VnnlibProperties {
    /** Largest disjunctive normal form expanded before giving up. */
    public static final int MAX_DISJUNCTS = 100_000;
    /** Largest number of inputs (or outputs) a spec may declare: bounds are kept in dense arrays. */
    public static final int MAX_VARIABLES = 1 << 22;

    private static final Pattern NAME = Pattern.compile("([XY])_(\\d+)");

    private VnnlibProperties() {
    }

    /** The single property of a spec; throws {@link IllegalArgumentException} with the reasons if it has none or several. */
    public static Property toProperty(VnnlibSpec spec, String name) {
        Diagnosed<List<Property>> r = convert(spec, name);
        if (!r.ok()) {
            throw new IllegalArgumentException(r.diagnostics().get(0).message());
        }
        if (r.value().orElseThrow().size() != 1) {
            throw new IllegalArgumentException(spec.path() + ": the spec has " + r.value().orElseThrow().size()
                    + " input regions with different output conditions; use convert()");
        }
        return r.value().orElseThrow().get(0);
    }

    /**
     * The properties of a spec (one per distinct input part of its disjunctive normal form), or the diagnostics
     * (E093) saying why the spec does not fit.
     */
    public static Diagnosed<List<Property>> convert(VnnlibSpec spec, String name) {
        List<Diagnostic> diags = new ArrayList<>();
        Span top = spec.declarations().isEmpty() ? Span.of(spec.path(), 1, 1, 1, 1) : spec.declarations().get(0).span();
        int[] sizes = sizes(spec, top, diags);
        List<List<Comparison>> dnf = sizes == null ? null : dnf(spec, diags);
        if (dnf == null) {
            return Diagnosed.failed(diags);
        }
        // group the output conjunctions by their input part
        Map<String, Group> groups = new LinkedHashMap<>();
        for (List<Comparison> conj : dnf) {
            Group one = split(conj, sizes[0], sizes[1], top, diags);
            if (!diags.isEmpty()) {
                return Diagnosed.failed(diags);
            }
            if (one != null) {
                String key = java.util.Arrays.toString(one.box.lo()) + java.util.Arrays.toString(one.box.hi())
                        + keyOf(one.inputCons);
                groups.computeIfAbsent(key, k -> new Group(one.box, one.inputCons)).unsafe.addAll(one.unsafe);
            }
        }
        List<Property> props = new ArrayList<>();
        int k = 0;
        for (Group g : groups.values()) {
            String n = groups.size() == 1 ? name : name + "#" + (k++);
            props.add(new Property(n, new InputRegion(List.of(g.box), g.inputCons), g.unsafe));
        }
        return Diagnosed.of(props, diags);
    }

    /** {@code {inputs, outputs}} the spec declares, or null after adding the diagnostics saying what is wrong. */
    private static int[] sizes(VnnlibSpec spec, Span top, List<Diagnostic> diags) {
        int nx = 0;
        int ny = 0;
        int declaredX = 0;
        int declaredY = 0;
        for (VnnlibSpec.Declaration d : spec.declarations()) {
            Matcher m = NAME.matcher(d.name());
            if (!m.matches()) {
                diags.add(Diagnostic.error(DiagnosticCode.E093, d.span(), "'" + d.name() + "' is neither X_i nor Y_j",
                        "name inputs X_0, X_1, ... and outputs Y_0, Y_1, ..."));
                continue;
            }
            int idx = m.group(2).length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(m.group(2));
            if (idx >= MAX_VARIABLES) {
                diags.add(Diagnostic.error(DiagnosticCode.E093, d.span(), "index of '" + abbreviate(d.name())
                        + "' is too large", "VNN-LIB files here declare at most " + MAX_VARIABLES + " inputs and outputs"));
                continue;
            }
            if (m.group(1).equals("X")) {
                nx = Math.max(nx, idx + 1);
                declaredX++;
            } else {
                ny = Math.max(ny, idx + 1);
                declaredY++;
            }
        }
        if (diags.isEmpty() && (nx > declaredX || ny > declaredY)) {
            // the arrays are as long as the largest index: it must be paid for by declarations in the file
            diags.add(Diagnostic.error(DiagnosticCode.E093, top, "the spec declares " + declaredX + " inputs and "
                    + declaredY + " outputs but uses indices up to X_" + (nx - 1) + " and Y_" + (ny - 1),
                    "declare every X_i for i < the model's input count, and every Y_j likewise"));
        }
        if (diags.isEmpty() && (nx == 0 || ny == 0)) {
            diags.add(Diagnostic.error(DiagnosticCode.E093, top, "the spec declares no " + (nx == 0 ? "inputs" : "outputs"),
                    "declare X_i and Y_j constants"));
        }
        return diags.isEmpty() ? new int[] {nx, ny} : null;
    }

    /** The conjunction of the assertions as a disjunction of conjunctions, or null when it is too large. */
    private static List<List<Comparison>> dnf(VnnlibSpec spec, List<Diagnostic> diags) {
        List<List<Comparison>> dnf = List.of(List.of());
        for (Formula f : spec.assertions()) {
            List<List<Comparison>> d = dnf(f);
            if (d == null || (long) dnf.size() * d.size() > MAX_DISJUNCTS) {
                diags.add(Diagnostic.error(DiagnosticCode.E093, f.span(), "the property expands to more than "
                        + MAX_DISJUNCTS + " cases", "split the property into several files"));
                return null;
            }
            List<List<Comparison>> next = new ArrayList<>();
            for (List<Comparison> a : dnf) {
                for (List<Comparison> b : d) {
                    List<Comparison> c = new ArrayList<>(a);
                    c.addAll(b);
                    next.add(c);
                }
            }
            dnf = next;
        }
        return dnf;
    }

    /**
     * One conjunction split into its input box, input constraints and one output conjunction; null when the
     * conjunction is empty (a constant false, or an empty box); diagnostics added when it does not fit.
     */
    private static Group split(List<Comparison> conj, int nx, int ny, Span top, List<Diagnostic> diags) {
        double[] lo = new double[nx];
        double[] hi = new double[nx];
        java.util.Arrays.fill(lo, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(hi, Double.POSITIVE_INFINITY);
        List<LinearConstraint> inputCons = new ArrayList<>();
        List<LinearConstraint> outputCons = new ArrayList<>();
        for (Comparison c : conj) {
            boolean hasX = c.coefficients().keySet().stream().anyMatch(v -> v.startsWith("X"));
            boolean hasY = c.coefficients().keySet().stream().anyMatch(v -> !v.startsWith("X"));
            if (hasX && hasY) {
                diags.add(Diagnostic.error(DiagnosticCode.E093, c.span(), "a comparison mixes inputs and outputs",
                        "state input constraints and output conditions separately"));
                return null;
            }
            if (hasX && bound(c, nx, lo, hi)) {
                continue; // a bound of one input: no dense row (thousands of them on an image's box)
            }
            for (LinearConstraint lc : constraints(c, hasX ? nx : ny)) {
                int i = singleVariable(lc);
                if (!hasX && !hasY) {
                    if (!lc.holds(new double[lc.coefficients().length], 0)) {
                        return null; // constant false: this conjunction is empty
                    }
                } else if (hasX && i >= 0) {
                    limit(i, lc.coefficients()[i], lc.bound(), lo, hi);
                } else {
                    (hasX ? inputCons : outputCons).add(lc);
                }
            }
        }
        for (int i = 0; i < nx; i++) {
            if (!Double.isFinite(lo[i]) || !Double.isFinite(hi[i])) {
                diags.add(Diagnostic.error(DiagnosticCode.E093, top, "input X_" + i + " has no "
                                + (!Double.isFinite(lo[i]) ? "lower" : "upper") + " bound",
                        "assert (>= X_" + i + " LOW) and (<= X_" + i + " HIGH)"));
                return null;
            }
        }
        for (int i = 0; i < nx; i++) {
            if (lo[i] > hi[i]) {
                return null; // an empty input region: nothing to check
            }
        }
        Group g = new Group(new Box(lo, hi), inputCons);
        g.unsafe.add(outputCons);
        return g;
    }

    private static final class Group {
        final Box box;
        final List<LinearConstraint> inputCons;
        final List<List<LinearConstraint>> unsafe = new ArrayList<>();

        Group(Box box, List<LinearConstraint> inputCons) {
            this.box = box;
            this.inputCons = inputCons;
        }
    }

    private static String keyOf(List<LinearConstraint> cons) {
        StringBuilder sb = new StringBuilder();
        for (LinearConstraint c : cons) {
            sb.append(java.util.Arrays.toString(c.coefficients())).append("<=").append(c.bound()).append(';');
        }
        return sb.toString();
    }

    private static int singleVariable(LinearConstraint c) {
        int found = -1;
        for (int i = 0; i < c.coefficients().length; i++) {
            if (c.coefficients()[i] != 0) {
                if (found >= 0) {
                    return -1;
                }
                found = i;
            }
        }
        return found;
    }

    /**
     * When {@code c} is {@code a·X_i + c REL 0} for one input with {@code a != 0}: its bound of {@code X_i} into
     * {@code lo}/{@code hi}, the same numbers as its {@link #constraints} give the box in {@link #split}; true. False
     * otherwise (nothing changed).
     */
    private static boolean bound(Comparison c, int n, double[] lo, double[] hi) {
        if (c.coefficients().size() != 1) {
            return false;
        }
        Map.Entry<String, Double> e = c.coefficients().entrySet().iterator().next();
        Matcher m = NAME.matcher(e.getKey());
        if (!m.matches() || !m.group(1).equals("X") || e.getValue() == 0) {
            return false;
        }
        int i = Integer.parseInt(m.group(2));
        if (i >= n) {
            return false;
        }
        double a = 0 + e.getValue();
        boolean le = c.relation() != Relation.GE && c.relation() != Relation.GT;
        boolean ge = c.relation() != Relation.LE && c.relation() != Relation.LT;
        if (le) { // a·x <= −c
            limit(i, a, -c.constant(), lo, hi);
        }
        if (ge) { // −a·x <= c
            limit(i, -a, c.constant(), lo, hi);
        }
        return true;
    }

    /** {@code a·x_i <= b} into the box. */
    private static void limit(int i, double a, double b, double[] lo, double[] hi) {
        if (a > 0) {
            hi[i] = Math.min(hi[i], b / a);
        } else {
            lo[i] = Math.max(lo[i], b / a);
        }
    }

    /** {@code sum a_v v + c REL 0} as constraints {@code coeffs · v <= bound}. */
    private static List<LinearConstraint> constraints(Comparison c, int n) {
        double[] a = new double[n];
        for (Map.Entry<String, Double> e : c.coefficients().entrySet()) {
            Matcher m = NAME.matcher(e.getKey());
            if (m.matches()) {
                a[Integer.parseInt(m.group(2))] += e.getValue();
            }
        }
        double[] neg = new double[n];
        for (int i = 0; i < n; i++) {
            neg[i] = -a[i];
        }
        LinearConstraint le = new LinearConstraint(a, -c.constant());
        LinearConstraint ge = new LinearConstraint(neg, c.constant());
        switch (c.relation()) {
            case LE:
            case LT:
                return List.of(le);
            case GE:
            case GT:
                return List.of(ge);
            default:
                return List.of(le, ge);
        }
    }

    /** Disjunctive normal form of a formula, or null when it grows too large. */
    private static List<List<Comparison>> dnf(Formula f) {
        if (f instanceof Comparison c) {
            return List.of(List.of(c));
        }
        if (f instanceof Or o) {
            List<List<Comparison>> out = new ArrayList<>();
            for (Formula x : o.operands()) {
                List<List<Comparison>> d = dnf(x);
                if (d == null || out.size() + d.size() > MAX_DISJUNCTS) {
                    return null;
                }
                out.addAll(d);
            }
            return out;
        }
        List<List<Comparison>> acc = List.of(List.of());
        for (Formula x : ((And) f).operands()) {
            List<List<Comparison>> d = dnf(x);
            if (d == null || (long) acc.size() * d.size() > MAX_DISJUNCTS) {
                return null;
            }
            List<List<Comparison>> next = new ArrayList<>();
            for (List<Comparison> a : acc) {
                for (List<Comparison> b : d) {
                    List<Comparison> c = new ArrayList<>(a);
                    c.addAll(b);
                    next.add(c);
                }
            }
            acc = next;
        }
        return acc;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }
}
