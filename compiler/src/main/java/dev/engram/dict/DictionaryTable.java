package dev.engram.dict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The neural-code map as text: one row per concept, one column per tapped layer, each cell the held-out AUC and
 * accuracy of the concept's probe at that layer ({@code *} below the quality gate), the best and the chosen layer,
 * then the most selective units at the chosen layer, and the unsupervised atoms if any. What {@code engram dict show} prints; the report draws the same
 * data as a heatmap.
 */
public final class DictionaryTable {
    private DictionaryTable() {
    }

    public static String text(Dictionary d, double minAuc) {
        StringBuilder sb = new StringBuilder();
        StringBuilder widths = new StringBuilder();
        for (int i = 0; i < d.widths().length; i++) {
            widths.append(i == 0 ? "" : "-").append(d.widths()[i]);
        }
        sb.append("neural-code dictionary (format ").append(d.version()).append(") of model ")
                .append(Learner.abbrev(d.modelSha256())).append(" (").append(widths).append(")\n");
        for (int s = 0; s < d.sources().size(); s++) {
            Dictionary.Source src = d.sources().get(s);
            sb.append(String.format(Locale.ROOT, "data %d: %s, %d rows, %.0f%% held out (seed %d), SHA-256 %s%n", s,
                    java.nio.file.Path.of(src.file()).getFileName(), src.rows(), 100 * src.heldOutFraction(),
                    src.seed(), Learner.abbrev(src.sha256())));
        }
        TreeSet<Integer> layers = new TreeSet<>();
        d.concepts().forEach(c -> c.layers().forEach(l -> layers.add(l.layer())));
        int nameW = Math.max(7, d.concepts().stream().mapToInt(c -> c.name().length()).max().orElse(0));
        int selW = Math.max(8, d.concepts().stream().mapToInt(c -> c.selector().length()).max().orElse(0));
        sb.append(String.format(Locale.ROOT, "%n%-" + nameW + "s  %-" + selW + "s", "concept", "examples"));
        for (int l : layers) {
            sb.append(String.format(Locale.ROOT, "  %-18s", "layer " + l + " AUC (acc)"));
        }
        sb.append("  best  chosen\n");
        List<String> notes = new ArrayList<>();
        for (Dictionary.Concept c : d.concepts()) {
            sb.append(String.format(Locale.ROOT, "%-" + nameW + "s  %-" + selW + "s", c.name(), c.selector()));
            for (int l : layers) {
                String cell = c.at(l).map(code -> String.format(Locale.ROOT, "%.4f (%.1f%%)%s", code.auc(),
                        100 * code.accuracy(), code.auc() >= minAuc ? "" : "*")).orElse("-");
                sb.append(String.format(Locale.ROOT, "  %-18s", cell));
            }
            sb.append(String.format(Locale.ROOT, "  %-4d  %d%n", c.bestLayer(), c.chosenLayer()));
            c.at(c.chosenLayer()).ifPresent(code -> {
                StringBuilder u = new StringBuilder();
                for (int i = 0; i < code.selective().length; i++) {
                    u.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%d (%+.2f)", code.selective()[i],
                            code.effect()[i]));
                }
                notes.add(String.format(Locale.ROOT, "  %s at layer %d: %s (%d+%d held-out examples)", c.name(),
                        code.layer(), u, code.heldOutPositives(), code.heldOutNegatives()));
            });
        }
        sb.append("* held-out AUC below ").append(String.format(Locale.ROOT, "%.2f", minAuc))
                .append(": rules over the concept at that layer do not compile\n");
        sb.append("\nmost selective units at the chosen layer (standardised mean difference):\n");
        notes.forEach(n -> sb.append(n).append('\n'));
        atoms(sb, d);
        return sb.toString();
    }

    /** The unsupervised atoms, per layer: each atom's best-matching concept, its held-out AUC and usage. */
    private static void atoms(StringBuilder sb, Dictionary d) {
        for (Dictionary.Atoms a : d.atoms()) {
            sb.append(String.format(Locale.ROOT, "%nunsupervised atoms of layer %d (data %d; at most %d per row; "
                    + "%.1f%% of the held-out rows' centred energy reconstructed)%n", a.layer(), a.source(),
                    a.sparsity(), 100 * a.explained()));
            sb.append(String.format(Locale.ROOT, "  %-5s  %-20s  %-11s  %-6s  %s%n", "atom", "best concept",
                    "AUC (held)", "usage", "largest units"));
            for (int j = 0; j < a.atoms().size(); j++) {
                Dictionary.Atom t = a.atoms().get(j);
                sb.append(String.format(Locale.ROOT, "  %-5d  %-20s  %-11s  %5.1f%%  %s%n", j,
                        t.concept().isEmpty() ? "-" : t.concept(),
                        Double.isNaN(t.auc()) ? "-" : String.format(Locale.ROOT, "%.4f", t.auc()), 100 * t.usage(),
                        largest(t.direction(), 3)));
            }
        }
    }

    /** The {@code n} units with the largest weights in {@code v}, as {@code unit (weight)}. */
    private static String largest(double[] v, int n) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (x, y) -> Double.compare(Math.abs(v[y]), Math.abs(v[x])));
        StringBuilder u = new StringBuilder();
        for (int i = 0; i < Math.min(n, v.length); i++) {
            u.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%d (%+.2f)", idx[i], v[idx[i]]));
        }
        return u.toString();
    }
}
