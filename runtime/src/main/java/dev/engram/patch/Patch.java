package dev.engram.patch;

import dev.engram.model.FloatTensor;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.ModelLimits;
import dev.engram.model.io.AtomicFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reversible, auditable set of tensor edits ({@code .epatch}). Stored in the safetensors layout: an 8-byte
 * little-endian header length, a JSON header (tensor table plus {@code __metadata__} with the provenance and the
 * edit list), then the raw little-endian float32 data.
 */
public record Patch(Provenance provenance, List<TensorEdit> edits) {

    public static final String FORMAT = PatchCodec.FORMAT;
    public static final String VERSION = PatchCodec.VERSION;

    public Patch {
        edits = List.copyOf(edits);
    }

    public static Patch of(Provenance provenance, List<TensorEdit> edits) {
        return new Patch(provenance, edits);
    }

    // ------------------------------------------------------------------------------------------------ diff

    /** The patch turning {@code base} into {@code patched} (every changed parameter; rules unattributed). */
    public static Patch diff(LoadedModel base, LoadedModel patched, Provenance provenance) {
        return diff(base, patched, provenance, Map.of());
    }

    /**
     * The patch turning {@code base} into {@code patched}; {@code ruleOfTensor} attributes each changed tensor to
     * the rule it comes from. Same-shape changes become one {@link TensorEdit.ReplaceSlice} spanning the first to
     * the last changed element; shape changes become {@link TensorEdit.Grow}.
     */
    public static Patch diff(LoadedModel base, LoadedModel patched, Provenance provenance,
                             Map<String, String> ruleOfTensor) {
        Map<String, FloatTensor> a = base.parameters();
        Map<String, FloatTensor> b = patched.parameters();
        for (String n : a.keySet()) {
            if (!b.containsKey(n)) {
                throw new ModelException("tensor '" + n + "' is missing from the patched model");
            }
        }
        List<TensorEdit> edits = new ArrayList<>();
        for (Map.Entry<String, FloatTensor> e : b.entrySet()) {
            String n = e.getKey();
            FloatTensor x = a.get(n);
            if (x == null) {
                throw new ModelException("tensor '" + n + "' is new in the patched model (only edits are supported)");
            }
            FloatTensor y = e.getValue();
            if (x.bitEquals(y)) {
                continue;
            }
            String rule = ruleOfTensor.getOrDefault(n, "");
            if (!Arrays.equals(x.dims(), y.dims())) {
                edits.add(new TensorEdit.Grow(n, rule, x.dims(), x.data(), y.dims(), y.data()));
                continue;
            }
            int first = -1;
            int last = -1;
            for (int i = 0; i < x.size(); i++) {
                if (Float.floatToRawIntBits(x.data()[i]) != Float.floatToRawIntBits(y.data()[i])) {
                    if (first < 0) {
                        first = i;
                    }
                    last = i;
                }
            }
            edits.add(new TensorEdit.ReplaceSlice(n, rule, x.dims(), first,
                    Arrays.copyOfRange(y.data(), first, last + 1), Arrays.copyOfRange(x.data(), first, last + 1)));
        }
        Provenance p = provenance.withHashes(base.sha256(), null);
        Patch draft = new Patch(p, edits);
        return new Patch(p.withHashes(base.sha256(), draft.applyUnchecked(base).sha256()), edits);
    }

    // ------------------------------------------------------------------------------------------- apply/revert

    /** Applies the patch; refuses a model whose SHA-256 differs from the patch's base. */
    public LoadedModel apply(LoadedModel model) {
        if (provenance.baseSha256() != null && !provenance.baseSha256().equals(model.sha256())) {
            throw new ModelException("the patch is for the model with SHA-256 " + provenance.baseSha256()
                    + ", this model has " + model.sha256());
        }
        return applyUnchecked(model);
    }

    private LoadedModel applyUnchecked(LoadedModel model) {
        Map<String, FloatTensor> params = model.parameters();
        Map<String, FloatTensor> changed = new LinkedHashMap<>();
        for (TensorEdit e : edits) {
            FloatTensor cur = changed.containsKey(e.tensor()) ? changed.get(e.tensor()) : params.get(e.tensor());
            if (cur == null) {
                throw new ModelException("the model has no tensor '" + e.tensor() + "'");
            }
            changed.put(e.tensor(), e.apply(cur));
        }
        return changed.isEmpty() ? model : model.withParameters(changed);
    }

    /** Undoes the patch on a model it was applied to, restoring every edited tensor bit-identically. */
    public LoadedModel revert(LoadedModel patched) {
        Map<String, FloatTensor> params = patched.parameters();
        Map<String, FloatTensor> changed = new LinkedHashMap<>();
        for (int k = edits.size() - 1; k >= 0; k--) {
            TensorEdit e = edits.get(k);
            FloatTensor cur = changed.containsKey(e.tensor()) ? changed.get(e.tensor()) : params.get(e.tensor());
            if (cur == null) {
                throw new ModelException("the model has no tensor '" + e.tensor() + "'");
            }
            changed.put(e.tensor(), e.revert(cur));
        }
        return changed.isEmpty() ? patched : patched.withParameters(changed);
    }

    /** One patch doing {@code first} then {@code second}; {@code second} must start where {@code first} ends. */
    public static Patch compose(Patch first, Patch second) {
        String mid1 = first.provenance.resultSha256();
        String mid2 = second.provenance.baseSha256();
        if (mid1 != null && mid2 != null && !mid1.equals(mid2)) {
            throw new ModelException("cannot compose: the second patch applies to " + mid2
                    + " but the first produces " + mid1);
        }
        List<TensorEdit> all = new ArrayList<>(first.edits);
        all.addAll(second.edits);
        Map<String, String> extra = new LinkedHashMap<>(first.provenance.extra());
        extra.putAll(second.provenance.extra());
        extra.put("composed_from", first.provenance.rulesSha256() + "+" + second.provenance.rulesSha256());
        String rules = first.provenance.rulesSha256().equals(second.provenance.rulesSha256())
                ? first.provenance.rulesSha256()
                : first.provenance.rulesSha256() + "+" + second.provenance.rulesSha256();
        return new Patch(new Provenance(first.provenance.baseSha256(), second.provenance.resultSha256(), rules,
                second.provenance.compilerVersion(), extra), all);
    }

    // ------------------------------------------------------------------------------------------------ show

    /** A human-readable summary. */
    public String show() {
        StringBuilder sb = new StringBuilder();
        sb.append("engram patch (").append(edits.size()).append(" edit").append(edits.size() == 1 ? "" : "s")
                .append(")\n");
        sb.append("  base model sha256:   ").append(nz(provenance.baseSha256())).append('\n');
        sb.append("  result model sha256: ").append(nz(provenance.resultSha256())).append('\n');
        sb.append("  rules sha256:        ").append(nz(provenance.rulesSha256())).append('\n');
        sb.append("  compiler version:    ").append(nz(provenance.compilerVersion())).append('\n');
        provenance.extra().forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
        for (int i = 0; i < edits.size(); i++) {
            TensorEdit e = edits.get(i);
            sb.append(String.format("  #%d %-8s %s", i, kind(e), e.tensor()));
            if (e instanceof TensorEdit.AddDelta d) {
                double m = 0;
                for (float v : d.delta()) {
                    m = Math.max(m, Math.abs(v));
                }
                sb.append(" dims=").append(Arrays.toString(d.dims())).append(" max|delta|=").append((float) m);
            } else if (e instanceof TensorEdit.ReplaceSlice r) {
                sb.append(" dims=").append(Arrays.toString(r.dims())).append(" elements [").append(r.offset())
                        .append(", ").append(r.offset() + r.values().length).append(')');
            } else if (e instanceof TensorEdit.Grow g) {
                sb.append(' ').append(Arrays.toString(g.oldDims())).append(" -> ").append(Arrays.toString(g.newDims()));
            }
            if (!e.rule().isEmpty()) {
                sb.append("  rule ").append(e.rule());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String nz(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    static String kind(TensorEdit e) {
        if (e instanceof TensorEdit.AddDelta) {
            return "add";
        }
        if (e instanceof TensorEdit.ReplaceSlice) {
            return "replace";
        }
        return "grow";
    }

    // ---------------------------------------------------------------------------------------------- codec

    public void write(Path out) {
        AtomicFiles.write(out, toBytes());
    }

    public static Patch read(Path in) {
        return read(in, ModelLimits.defaults());
    }

    /** Reads a patch file within {@code limits} (its size, the elements of its tensors and edits, JSON depth). */
    public static Patch read(Path in, ModelLimits limits) {
        try {
            return PatchCodec.fromBytes(AtomicFiles.read(in, limits.maxBytes()), limits);
        } catch (ModelException e) {
            throw e.getMessage().startsWith(in.toString()) ? e : new ModelException(in + ": " + e.getMessage());
        }
    }

    /** Serializes in the safetensors layout ({@link PatchCodec}). */
    public byte[] toBytes() {
        return PatchCodec.toBytes(this);
    }

    /** Parses the safetensors layout; a {@link ModelException} explains any inconsistency. */
    public static Patch fromBytes(byte[] bytes) {
        return PatchCodec.fromBytes(bytes, ModelLimits.defaults());
    }
}
