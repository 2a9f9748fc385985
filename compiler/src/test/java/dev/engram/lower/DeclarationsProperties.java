package dev.engram.lower;

import dev.engram.check.CheckOptions;
import dev.engram.diag.Diagnosed;
import dev.engram.check.CheckedProgram;
import dev.engram.check.Checker;
import dev.engram.data.Column;
import dev.engram.data.Dataset;
import dev.engram.data.Encoding;
import dev.engram.data.Table;
import dev.engram.source.SourceFile;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The declarations an {@link Encoding} writes, for random tables with hostile column names and values (operators,
 * keywords, digits, punctuation, names that collide after sanitising): they check with no diagnostic at all, and the
 * checker's view (slots, values, {@code model = real * scale + offset}) is exactly the encoding's.
 */
class DeclarationsProperties {

    static final String[] PIECES = {"in", "not", "a", "B", "<=", ">", "=", "-", " ", "/", "0", "9", "x", "_", "?",
            "model", "é", ".", "one", "of", "50K", "sex"};

    static String hostile(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            sb.append(PIECES[r.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    @Test
    void declarationsCheckCleanAndMatchTheEncoding() {
        qt().withExamples(150).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int rows = 3 + r.nextInt(20);
            int cols = 1 + r.nextInt(6);
            List<Column> columns = new ArrayList<>();
            Set<String> names = new LinkedHashSet<>();
            while (names.size() < cols + 1) {
                names.add(hostile(r));
            }
            List<String> nameList = new ArrayList<>(names);
            for (int c = 0; c < cols; c++) {
                if (r.nextBoolean()) {
                    double[] v = new double[rows];
                    for (int i = 0; i < rows; i++) {
                        v[i] = r.nextInt(10) == 0 ? Double.NaN : Math.round(r.nextGaussian() * 1e4) / 100.0;
                    }
                    v[0] = 1.25;
                    columns.add(new Column.Numeric(nameList.get(c), v));
                } else {
                    Set<String> levels = new LinkedHashSet<>();
                    int k = 1 + r.nextInt(5);
                    while (levels.size() < k) {
                        levels.add(hostile(r));
                    }
                    int[] codes = new int[rows];
                    for (int i = 0; i < rows; i++) {
                        codes[i] = r.nextInt(k + 1) - 1;
                    }
                    columns.add(new Column.Categorical(nameList.get(c), new ArrayList<>(levels), codes));
                }
            }
            int[] y = new int[rows];
            for (int i = 0; i < rows; i++) {
                y[i] = i % 2;
            }
            List<String> classes = List.of(hostile(r), hostile(r) + "!");
            String label = nameList.get(cols);
            columns.add(new Column.Categorical(label, classes, y));
            Table t = new Table(columns);
            Encoding enc = Encoding.fit(t, label);
            String text = enc.declarations("m.onnx", List.of("random")) + "ignore " + enc.features().get(0).id() + "\n";
            Diagnosed<CheckedProgram> cr = Checker.check(new SourceFile("r.engram", text), CheckOptions.none());
            assertTrue(cr.diagnostics().isEmpty(), cr.diagnostics() + "\n" + text);
            CheckedProgram p = cr.value().orElseThrow();
            assertEquals(enc.width(), p.inputWidth());
            assertEquals(classes.size(), p.outputWidth());
            Dataset d = enc.encode(t);
            for (Encoding.Feature f : enc.features()) {
                CheckedProgram.Input in = p.inputs().stream().filter(i -> i.name().equals(f.id())).findFirst().orElseThrow();
                assertEquals(f.index(), in.index());
                assertEquals(f.width(), in.width());
                if (f instanceof Encoding.Numeric n) {
                    double[] v = ((Column.Numeric) t.column(n.name())).values();
                    for (int i = 0; i < rows; i++) {
                        if (!Double.isNaN(v[i])) {
                            double model = v[i] * in.scale() + in.offset();
                            assertEquals(d.x()[i][f.index()], model, 1e-5 * (1 + Math.abs(model)));
                        }
                    }
                    assertEquals(n.lo(), in.lo());
                    assertEquals(n.hi(), in.hi());
                } else {
                    assertEquals(((Encoding.Categorical) f).valueIds(), in.values());
                }
            }
        });
    }
}
