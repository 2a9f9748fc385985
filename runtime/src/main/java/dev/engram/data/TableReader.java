package dev.engram.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads tabular data into a typed {@link Table}: CSV with a header line (UCI Adult) and ARFF (German Credit).
 * Fields are trimmed; {@code ?} and empty fields are missing. CSV columns whose present values all parse as numbers
 * are numerical, the others categorical with sorted levels. ARFF columns keep their declared type and level order.
 * Input files are only read.
 */
public final class TableReader {
    private TableReader() {
    }

    /** Reads a file by extension: {@code .arff} as ARFF, anything else as CSV with a header line. */
    public static Table read(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".arff") ? arff(file) : csv(file);
    }

    /** Reads a comma-separated file whose first non-empty line names the columns. */
    public static Table csv(Path file) {
        List<String> lines = lines(file);
        List<String> header = null;
        List<List<String>> rows = new ArrayList<>();
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            if (line.isBlank() || line.startsWith("|")) {
                continue;
            }
            List<String> f = split(line, file, lineNo);
            if (header == null) {
                header = f;
                continue;
            }
            if (f.size() != header.size()) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": " + f.size() + " fields, the header has "
                        + header.size());
            }
            rows.add(f);
        }
        if (header == null) {
            throw new IllegalArgumentException(file + ": empty file");
        }
        List<Column> cols = new ArrayList<>();
        for (int c = 0; c < header.size(); c++) {
            cols.add(infer(header.get(c), rows, c));
        }
        return new Table(cols);
    }

    private static Column infer(String name, List<List<String>> rows, int c) {
        double[] v = new double[rows.size()];
        boolean numeric = true;
        for (int r = 0; r < rows.size() && numeric; r++) {
            String s = rows.get(r).get(c);
            if (isMissing(s)) {
                v[r] = Double.NaN;
            } else {
                try {
                    v[r] = Double.parseDouble(s);
                    numeric = Double.isFinite(v[r]);
                } catch (NumberFormatException e) {
                    numeric = false;
                }
            }
        }
        if (numeric) {
            return new Column.Numeric(name, v);
        }
        TreeSet<String> levels = new TreeSet<>();
        for (List<String> row : rows) {
            if (!isMissing(row.get(c))) {
                levels.add(row.get(c));
            }
        }
        List<String> lv = new ArrayList<>(levels);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < lv.size(); i++) {
            index.put(lv.get(i), i);
        }
        int[] codes = new int[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            String s = rows.get(r).get(c);
            codes[r] = isMissing(s) ? -1 : index.get(s);
        }
        return new Column.Categorical(name, lv, codes);
    }

    /** Reads an ARFF file: {@code @attribute NAME numeric|real|integer|{v1, v2, ...}} then {@code @data} rows. */
    public static Table arff(Path file) {
        List<String> names = new ArrayList<>();
        List<List<String>> levels = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        boolean data = false;
        int lineNo = 0;
        for (String raw : lines(file)) {
            lineNo++;
            String line = raw.strip();
            String lower = line.toLowerCase(Locale.ROOT);
            if (line.isEmpty() || line.startsWith("%") || !data && lower.startsWith("@relation")) {
                continue;
            }
            if (!data && lower.startsWith("@attribute")) {
                attribute(line.substring("@attribute".length()).strip(), file, lineNo, names, levels);
            } else if (!data && lower.startsWith("@data")) {
                data = true;
            } else if (!data) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": unexpected line before @data");
            } else {
                List<String> f = split(line, file, lineNo);
                if (f.size() != names.size()) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": " + f.size() + " values, "
                            + names.size() + " attributes");
                }
                rows.add(f);
            }
        }
        List<Column> cols = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            cols.add(arffColumn(file, names.get(c), levels.get(c), rows, c));
        }
        return new Table(cols);
    }

    /** One {@code @attribute} line (after the keyword): its name, and its values (null for a numeric one). */
    private static void attribute(String rest, Path file, int lineNo, List<String> names,
                                  List<List<String>> levels) {
        String name;
        if (rest.startsWith("'") || rest.startsWith("\"")) {
            int end = rest.indexOf(rest.charAt(0), 1);
            if (end < 0) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": unterminated attribute name");
            }
            name = rest.substring(1, end);
            rest = rest.substring(end + 1).strip();
        } else {
            int sp = firstSpace(rest);
            if (sp < 0) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": attribute without a type");
            }
            name = rest.substring(0, sp);
            rest = rest.substring(sp).strip();
        }
        names.add(name);
        if (rest.startsWith("{")) {
            int end = rest.lastIndexOf('}');
            if (end < 0) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": unterminated value list");
            }
            levels.add(split(rest.substring(1, end), file, lineNo));
        } else {
            String type = rest.toLowerCase(Locale.ROOT);
            if (!(type.startsWith("numeric") || type.startsWith("real") || type.startsWith("integer"))) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": unsupported attribute type '" + rest + "'");
            }
            levels.add(null);
        }
    }

    /** Column {@code c} of the data rows: numeric when {@code lv} is null, else categorical over {@code lv}. */
    private static Column arffColumn(Path file, String name, List<String> lv, List<List<String>> rows, int c) {
        if (lv == null) {
            double[] v = new double[rows.size()];
            for (int r = 0; r < v.length; r++) {
                String s = rows.get(r).get(c);
                try {
                    v[r] = isMissing(s) ? Double.NaN : Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + ": attribute " + name + ": '" + s + "' is not a number");
                }
            }
            return new Column.Numeric(name, v);
        }
        int[] codes = new int[rows.size()];
        for (int r = 0; r < codes.length; r++) {
            String s = rows.get(r).get(c);
            codes[r] = isMissing(s) ? -1 : lv.indexOf(s);
            if (!isMissing(s) && codes[r] < 0) {
                throw new IllegalArgumentException(file + ": attribute " + name + ": '" + s
                        + "' is not one of its declared values");
            }
        }
        return new Column.Categorical(name, lv, codes);
    }

    private static int firstSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    static boolean isMissing(String s) {
        return s.isEmpty() || s.equals("?");
    }

    /** Splits on commas outside single or double quotes; fields are trimmed and unquoted. */
    static List<String> split(String line, Path file, int lineNo) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quote != 0) {
                if (ch == '\\' && i + 1 < line.length()) {
                    cur.append(line.charAt(++i));
                } else if (ch == quote) {
                    quote = 0;
                } else {
                    cur.append(ch);
                }
            } else if ((ch == '\'' || ch == '"') && cur.toString().isBlank()) {
                quote = ch;
                quoted = true;
                cur.setLength(0);
            } else if (quoted && Character.isWhitespace(ch)) {
                continue;
            } else if (ch == ',') {
                out.add(quoted ? cur.toString() : cur.toString().strip());
                cur.setLength(0);
                quoted = false;
            } else {
                cur.append(ch);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException(file + ":" + lineNo + ": unterminated quote");
        }
        out.add(quoted ? cur.toString() : cur.toString().strip());
        return out;
    }

    private static List<String> lines(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
