package dev.engram.model.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One TorchScript code file ({@code code/__torch__/...py}, as printed by {@code torch.jit.save}) split into its
 * classes and functions. Only what the structure reader needs is kept: attribute types, parameter names and the
 * lines of each method; anything else at the top level is ignored (it is never run by Engram).
 */
final class TorchSource {

    /** A line of a function body: its indentation and its text. */
    record Line(int indent, String text, int number) {
    }

    /** A function or method: parameter names (with default values as written, or null) and body lines. */
    record Function(String name, List<String> params, List<String> defaults, List<Line> body) {
    }

    /** A class: attribute types ({@code name -> __torch__....Linear}), parameter names and methods. */
    record ClassDef(String name, Map<String, String> attributes, Set<String> parameters,
                    Map<String, Function> methods) {
    }

    private static final Pattern CLASS = Pattern.compile("class (\\w+)\\(.*\\):");
    private static final Pattern ATTR = Pattern.compile("(\\w+) : (.+)");
    private static final Pattern ANNOTATION = Pattern.compile("__annotations__\\[\"([^\"]*)\"] = (.+)");
    private static final Pattern PARAMETERS = Pattern.compile("__parameters__ = \\[(.*)]");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    final Map<String, ClassDef> classes = new LinkedHashMap<>();
    final Map<String, Function> functions = new LinkedHashMap<>();

    private TorchSource() {
    }

    static TorchSource parse(String text) {
        TorchSource s = new TorchSource();
        List<Line> lines = lines(text);
        int i = 0;
        while (i < lines.size()) {
            Line l = lines.get(i);
            int end = blockEnd(lines, i);
            if (l.indent() == 0) {
                Matcher c = CLASS.matcher(l.text());
                if (c.matches()) {
                    ClassDef cd = parseClass(c.group(1), lines.subList(i + 1, end));
                    s.classes.put(cd.name(), cd);
                } else if (l.text().startsWith("def ")) {
                    Function f = parseFunction(lines.subList(i, end));
                    s.functions.put(f.name(), f);
                }
            }
            i = end;
        }
        return s;
    }

    private static List<Line> lines(String text) {
        List<Line> out = new ArrayList<>();
        String[] raw = text.split("\n", -1);
        for (int n = 0; n < raw.length; n++) {
            String r = raw[n].stripTrailing();
            if (r.isBlank()) {
                continue;
            }
            int indent = 0;
            while (indent < r.length() && r.charAt(indent) == ' ') {
                indent++;
            }
            out.add(new Line(indent, r.substring(indent), n + 1));
        }
        return out;
    }

    /** The index after the block that starts at {@code i} (the lines indented deeper than it). */
    static int blockEnd(List<Line> lines, int i) {
        int j = i + 1;
        while (j < lines.size() && lines.get(j).indent() > lines.get(i).indent()) {
            j++;
        }
        return j;
    }

    private static ClassDef parseClass(String name, List<Line> body) {
        Map<String, String> attrs = new LinkedHashMap<>();
        Set<String> params = new LinkedHashSet<>();
        Map<String, Function> methods = new LinkedHashMap<>();
        int i = 0;
        while (i < body.size()) {
            Line l = body.get(i);
            int end = blockEnd(body, i);
            Matcher m;
            if (l.text().startsWith("def ")) {
                Function f = parseFunction(body.subList(i, end));
                methods.put(f.name(), f);
            } else if ((m = ANNOTATION.matcher(l.text())).matches() || (m = ATTR.matcher(l.text())).matches()) {
                attrs.put(m.group(1), m.group(2).trim());
            } else if ((m = PARAMETERS.matcher(l.text())).matches()) {
                Matcher q = QUOTED.matcher(m.group(1));
                while (q.find()) {
                    params.add(q.group(1));
                }
            }
            i = end;
        }
        return new ClassDef(name, attrs, params, methods);
    }

    /**
     * A {@code def} whose header may span several lines (until its parentheses close and it ends with
     * {@code :}); the body is every later line of the block.
     */
    private static Function parseFunction(List<Line> block) {
        StringBuilder header = new StringBuilder();
        int k = 0;
        int depth = 0;
        do {
            String t = block.get(k).text();
            header.append(t).append(' ');
            for (char c : t.toCharArray()) {
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            }
            k++;
        } while (k < block.size() && (depth > 0 || !block.get(k - 1).text().endsWith(":")));
        String h = header.toString().trim();
        int open = h.indexOf('(');
        int close = h.lastIndexOf(')');
        String name = h.substring(4, Math.max(4, open)).trim();
        List<String> params = new ArrayList<>();
        List<String> defaults = new ArrayList<>();
        if (open > 0 && close > open) {
            for (String p : splitTopLevel(h.substring(open + 1, close))) {
                if (p.isBlank()) {
                    continue;
                }
                int eq = p.indexOf('=');
                String decl = eq < 0 ? p : p.substring(0, eq);
                int colon = decl.indexOf(':');
                params.add((colon < 0 ? decl : decl.substring(0, colon)).trim());
                defaults.add(eq < 0 ? null : p.substring(eq + 1).trim());
            }
        }
        return new Function(name, params, defaults, List.copyOf(block.subList(k, block.size())));
    }

    /** Splits on commas outside brackets and parentheses. */
    private static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }
}
