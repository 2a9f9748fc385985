package dev.engram.source;

import java.util.ArrayList;
import java.util.List;

/** The text of one source file (rules or VNN-LIB) with its display path, and line lookup for diagnostics. */
public record SourceFile(String path, String text) {

    /** The 1-based line {@code line} without its line terminator, or "" when out of range. */
    public String line(int line) {
        List<Integer> starts = lineStarts();
        if (line < 1 || line > starts.size()) {
            return "";
        }
        int from = starts.get(line - 1);
        int to = line < starts.size() ? starts.get(line) : text.length();
        String s = text.substring(from, to);
        return s.replaceAll("[\r\n]+$", "");
    }

    private List<Integer> lineStarts() {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        return starts;
    }
}
