package dev.engram.check;

import java.util.Collection;

/** Suggests the closest known name for a misspelt one (Levenshtein distance, case-insensitive). */
public final class DidYouMean {
    private DidYouMean() {
    }

    /** Longest name a suggestion is looked for (the edit distance costs the product of the two lengths). */
    static final int MAX_LENGTH = 64;

    /**
     * The candidate closest to {@code name} when it is close enough (distance at most max(1, len/3)), else null;
     * names longer than {@link #MAX_LENGTH} get no suggestion.
     */
    public static String suggest(String name, Collection<String> candidates) {
        if (name.length() > MAX_LENGTH) {
            return null;
        }
        String best = null;
        int bestD = Integer.MAX_VALUE;
        int limit = Math.max(1, name.length() / 3);
        for (String c : candidates) {
            if (Math.abs(c.length() - name.length()) > limit) {
                continue;
            }
            int d = distance(name.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return bestD <= limit ? best : null;
    }

    /** Levenshtein edit distance. */
    public static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
