package dev.engram.patch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a patch comes from: the model it applies to, the model it produces, the rules and the compiler.
 *
 * @param baseSha256      SHA-256 of the base model ({@link dev.engram.model.LoadedModel#sha256()})
 * @param resultSha256    SHA-256 of the patched model as produced by {@link Patch#apply}, or null
 * @param rulesSha256     SHA-256 of the rules' source text (may be empty)
 * @param compilerVersion the compiler that produced the patch
 * @param extra           free-form string metadata, kept in the order given (so a patch file reads and writes back
 *                        byte for byte)
 */
public record Provenance(String baseSha256, String resultSha256, String rulesSha256, String compilerVersion,
                         Map<String, String> extra) {

    public Provenance {
        Map<String, String> copy = new LinkedHashMap<>();
        extra.forEach((k, v) -> copy.put(Objects.requireNonNull(k), Objects.requireNonNull(v)));
        extra = Collections.unmodifiableMap(copy);
        rulesSha256 = rulesSha256 == null ? "" : rulesSha256;
        compilerVersion = compilerVersion == null ? "" : compilerVersion;
    }

    /** Provenance to pass to {@link Patch#diff}: the model hashes are filled in by the diff. */
    public static Provenance of(String rulesSha256, String compilerVersion) {
        return new Provenance(null, null, rulesSha256, compilerVersion, Map.of());
    }

    public Provenance withHashes(String base, String result) {
        return new Provenance(base, result, rulesSha256, compilerVersion, extra);
    }
}
