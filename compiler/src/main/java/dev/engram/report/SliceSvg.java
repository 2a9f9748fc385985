package dev.engram.report;

import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link Slice} as inline SVG: the original's and the patched model's decisions side by side, and the cells
 * whose decision changed; the rule's region outlined (solid), the guard's reach dashed; axes in real units. Cells are
 * run-length encoded per row, so a slice is a few hundred rectangles.
 */
final class SliceSvg {
    /** Colours of the outputs, by index (colour-blind-safe palette). */
    static final List<String> PALETTE = List.of("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2",
            "#edc948", "#9c755f", "#ff9da7", "#bab0ac");
    private static final int CELL = 4;
    private static final int SIDE = Slice.GRID * CELL;
    private static final int LEFT = 54;
    private static final int BOTTOM = 34;

    private SliceSvg() {
    }

    static String colour(int output) {
        return PALETTE.get(output % PALETTE.size());
    }

    /** Three panels (before, after, changed) and a legend. */
    static String draw(Slice s) {
        StringBuilder b = new StringBuilder("<div class=\"slices\">");
        b.append(panel(s, s.before(), null, "before (original model)"));
        b.append(panel(s, s.after(), null, "after (patched model)"));
        b.append(panel(s, s.after(), s.before(), "changed by the patch: " + s.changed() + " of "
                + Slice.GRID * Slice.GRID + " cells"));
        b.append("</div><p class=\"legend\">");
        for (int j = 0; j < s.outputs().size(); j++) {
            b.append("<span><i style=\"background:").append(colour(j)).append("\"></i>")
                    .append(Html.esc(s.outputs().get(j))).append("</span> ");
        }
        b.append("<span><i class=\"box\"></i>the rule's region</span> ");
        if (s.reach() != null) {
            b.append("<span><i class=\"reach\"></i>the guard's reach</span> ");
        }
        return b.append("</p><p class=\"fixed\">The decision on a plane through the point of the region where the "
                + "original model breaks the rule most (or comes closest to it); the patch holds every rule's "
                + "change. Other inputs: ")
                .append(Html.esc(s.fixed().isEmpty() ? "none" : s.fixed())).append(".</p>").toString();
    }

    /** One panel; with {@code base}, only cells that differ from it are coloured. */
    private static String panel(Slice s, int[][] cells, int[][] base, String title) {
        int w = LEFT + SIDE + 8;
        int h = SIDE + BOTTOM + 8;
        StringBuilder b = new StringBuilder();
        b.append("<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"")
                .append(h).append("\" viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" role=\"img\">")
                .append("<title>").append(Html.esc(title)).append("</title>");
        b.append("<g transform=\"translate(").append(LEFT).append(",4)\">");
        b.append("<rect width=\"").append(SIDE).append("\" height=\"").append(SIDE).append("\" fill=\"#eee\"/>");
        for (int r = 0; r < Slice.GRID; r++) {
            int y = (Slice.GRID - 1 - r) * CELL;
            int c = 0;
            while (c < Slice.GRID) {
                int v = cells[r][c];
                boolean on = base == null || base[r][c] != v;
                int end = c + 1;
                while (end < Slice.GRID && cells[r][end] == v
                        && (base == null || base[r][end] != cells[r][end]) == on) {
                    end++;
                }
                if (on) {
                    b.append("<rect x=\"").append(c * CELL).append("\" y=\"").append(y).append("\" width=\"")
                            .append((end - c) * CELL).append("\" height=\"").append(CELL).append("\" fill=\"")
                            .append(colour(v)).append("\"/>");
                }
                c = end;
            }
        }
        if (s.reach() != null) {
            b.append(outline(s, s.reach(), "reach"));
        }
        b.append(outline(s, s.region(), "box"));
        b.append("</g>");
        axes(b, s);
        return b.append("</svg><figcaption>").append(Html.esc(title)).append("</figcaption></figure>").toString();
    }

    private static String outline(Slice s, double[] box, String cls) {
        double x0 = px(box[0], s.x().lo(), s.x().hi());
        double x1 = px(box[1], s.x().lo(), s.x().hi());
        double y0 = SIDE - px(box[3], s.y().lo(), s.y().hi());
        double y1 = SIDE - px(box[2], s.y().lo(), s.y().hi());
        return String.format(Locale.ROOT, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                cls, x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0));
    }

    /** {@code v} on an axis from {@code lo} to {@code hi}, in pixels, clipped to the panel. */
    private static double px(double v, double lo, double hi) {
        return Math.max(0, Math.min(SIDE, (v - lo) / (hi - lo) * SIDE));
    }

    private static void axes(StringBuilder b, Slice s) {
        int y = 4 + SIDE;
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"tick\">%s</text>", LEFT, y + 13,
                Html.esc(Html.num(s.x().real(s.x().lo())))));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"tick end\">%s</text>", LEFT + SIDE,
                y + 13, Html.esc(Html.num(s.x().real(s.x().hi())))));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"label mid\">%s</text>",
                LEFT + SIDE / 2, y + 28, Html.esc(label(s.x()))));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"tick end\">%s</text>", LEFT - 4, y,
                Html.esc(Html.num(s.y().real(s.y().lo())))));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"tick end\">%s</text>", LEFT - 4, 14,
                Html.esc(Html.num(s.y().real(s.y().hi())))));
        b.append(String.format(Locale.ROOT, "<text class=\"label mid\" transform=\"translate(12,%d) rotate(-90)\">%s"
                + "</text>", 4 + SIDE / 2, Html.esc(label(s.y()))));
    }

    private static String label(Slice.Axis a) {
        return a.name() + (a.unit().isEmpty() ? "" : " (" + a.unit() + ")");
    }
}
