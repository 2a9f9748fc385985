package dev.engram.report;

import java.util.Locale;

/** Text for HTML: escaping, and numbers as people read them. */
final class Html {
    private Html() {
    }

    /** {@code s} with the five HTML special characters escaped (safe in text and in quoted attributes). */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c < 0x20 && c != '\n' && c != '\t' ? '?' : c);
            }
        }
        return b.toString();
    }

    /** A number with about four significant digits, without exponent for everyday magnitudes. */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e7)) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        String s = String.format(Locale.ROOT, a >= 1000 ? "%,.0f" : a >= 10 ? "%.2f" : "%.4f", v);
        if (s.contains(".") && !s.contains(",")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }

    static String pct(double share) {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * share);
    }
}
