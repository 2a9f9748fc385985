package dev.engram.patch;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fixed patch with every edit kind and awkward strings (quotes, backslashes, control characters, non-ASCII,
 * a lone surrogate, {@code /}), used to pin the {@code .epatch} bytes. {@code fixture.epatch} in the test resources
 * was written from {@link #patch()} by the hand-written JSON writer this format started with; run {@link #main}
 * with a path to regenerate it (only when the format changes on purpose).
 */
public final class EpatchFixture {
    private EpatchFixture() {
    }

    public static Patch patch() {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("note", "quote \" backslash \\ slash / tab \t newline \n return \r bell \u0007 del \u007f");
        extra.put("unicode", "Gr\u00fc\u00dfe \u2028 \ud83d\ude00 lone \ud800!");
        extra.put("empty", "");
        Provenance p = new Provenance("a".repeat(64), "b".repeat(64), "c".repeat(64), "0.1.0-test", extra);
        List<TensorEdit> edits = List.of(
                new TensorEdit.AddDelta("layer0.weight", "rule \"one\"", new long[] {2, 3},
                        new float[] {0.5f, -0f, Float.MIN_VALUE, 1e-30f, -2.5f, 3f},
                        new float[] {1f, 2f, 3f, Float.NaN, Float.POSITIVE_INFINITY, -7.25f}),
                new TensorEdit.ReplaceSlice("layer0.bias", "", new long[] {3}, 1, new float[] {9f, 10f},
                        new float[] {0f, -1f}),
                new TensorEdit.Grow("layer1.weight", "widen\\path\u0001", new long[] {1, 2},
                        new float[] {1f, 2f}, new long[] {1, 3}, new float[] {1f, 2f, 0.125f}),
                new TensorEdit.ReplaceSlice("layer1.bias", "r\u00e9gle", new long[] {0}, 0, new float[0],
                        new float[0]));
        return new Patch(p, edits);
    }

    public static void main(String[] args) {
        patch().write(Path.of(args[0]));
    }
}
