package dev.engram.patch;

import dev.engram.model.FloatTensor;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.io.AtomicFiles;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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

    public static final String FORMAT = "engram-patch";
    public static final String VERSION = "1";
    private static final long MAX_HEADER = 100L << 20;

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

    private static String kind(TensorEdit e) {
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
        try {
            return fromBytes(AtomicFiles.read(in, Integer.MAX_VALUE - 64L));
        } catch (ModelException e) {
            throw e.getMessage().startsWith(in.toString()) ? e : new ModelException(in + ": " + e.getMessage());
        }
    }

    /** Serializes in the safetensors layout. */
    public byte[] toBytes() {
        Map<String, Object> header = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("version", VERSION);
        if (provenance.baseSha256() != null) {
            meta.put("base_sha256", provenance.baseSha256());
        }
        if (provenance.resultSha256() != null) {
            meta.put("result_sha256", provenance.resultSha256());
        }
        meta.put("rules_sha256", provenance.rulesSha256());
        meta.put("compiler_version", provenance.compilerVersion());
        provenance.extra().forEach((k, v) -> meta.put("x." + k, v));
        List<Object> list = new ArrayList<>();
        List<float[]> blobs = new ArrayList<>();
        long[] offset = {0};
        java.util.function.BiConsumer<String, Object[]> tensor = (key, dimsAndData) -> {
            long[] dims = (long[]) dimsAndData[0];
            float[] data = (float[]) dimsAndData[1];
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("dtype", "F32");
            t.put("shape", dims);
            t.put("data_offsets", List.of(offset[0], offset[0] + data.length * 4L));
            offset[0] += data.length * 4L;
            header.put(key, t);
            blobs.add(data);
        };
        for (int i = 0; i < edits.size(); i++) {
            TensorEdit e = edits.get(i);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("kind", kind(e));
            d.put("tensor", e.tensor());
            d.put("rule", e.rule());
            String p = "e" + i + ".";
            if (e instanceof TensorEdit.AddDelta a) {
                d.put("dims", a.dims());
                tensor.accept(p + "delta", new Object[] {a.dims(), a.delta()});
                tensor.accept(p + "original", new Object[] {a.dims(), a.original()});
            } else if (e instanceof TensorEdit.ReplaceSlice r) {
                d.put("dims", r.dims());
                d.put("offset", (long) r.offset());
                tensor.accept(p + "values", new Object[] {new long[] {r.values().length}, r.values()});
                tensor.accept(p + "original", new Object[] {new long[] {r.original().length}, r.original()});
            } else if (e instanceof TensorEdit.Grow g) {
                d.put("dims", g.oldDims());
                d.put("new_dims", g.newDims());
                tensor.accept(p + "original", new Object[] {g.oldDims(), g.original()});
                tensor.accept(p + "values", new Object[] {g.newDims(), g.values()});
            }
            list.add(d);
        }
        meta.put("edits", Json.write(list));
        Map<String, Object> full = new LinkedHashMap<>();
        full.put("__metadata__", meta);
        full.putAll(header);
        byte[] json = Json.write(full).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - json.length % 8) % 8;
        int hlen = json.length + pad;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + hlen + offset[0])).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(hlen);
        out.put(json);
        for (int i = 0; i < pad; i++) {
            out.put((byte) ' ');
        }
        for (float[] b : blobs) {
            out.asFloatBuffer().put(b);
            out.position(out.position() + b.length * 4);
        }
        return out.array();
    }

    /** Parses the safetensors layout; a {@link ModelException} explains any inconsistency. */
    public static Patch fromBytes(byte[] bytes) {
        try {
            return decode(bytes);
        } catch (IllegalArgumentException | ClassCastException | NullPointerException | ArithmeticException e) {
            throw new ModelException("not a valid .epatch file: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Patch decode(byte[] bytes) {
        if (bytes.length < 8) {
            throw new ModelException("not a valid .epatch file: too short");
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long hlen = bb.getLong();
        if (hlen < 2 || hlen > MAX_HEADER || hlen > bytes.length - 8) {
            throw new ModelException("not a valid .epatch file: header length " + hlen + " out of range");
        }
        String json = new String(bytes, 8, (int) hlen, StandardCharsets.UTF_8);
        Object parsed = Json.parse(json);
        if (!(parsed instanceof Map)) {
            throw new ModelException("not a valid .epatch file: header is not a JSON object");
        }
        Map<String, Object> header = (Map<String, Object>) parsed;
        Map<String, Object> meta = (Map<String, Object>) header.get("__metadata__");
        if (meta == null || !FORMAT.equals(meta.get("format"))) {
            throw new ModelException("not an Engram patch (missing __metadata__.format = " + FORMAT + ")");
        }
        if (!VERSION.equals(meta.get("version"))) {
            throw new ModelException("unsupported patch version " + meta.get("version"));
        }
        int dataStart = 8 + (int) hlen;
        long dataLen = bytes.length - dataStart;
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            Map<String, Object> t = (Map<String, Object>) e.getValue();
            if (!"F32".equals(t.get("dtype"))) {
                throw new ModelException("patch tensor " + e.getKey() + ": unsupported dtype " + t.get("dtype"));
            }
            List<Object> off = (List<Object>) t.get("data_offsets");
            long b = (Long) off.get(0);
            long end = (Long) off.get(1);
            if (b < 0 || end < b || end > dataLen || (end - b) % 4 != 0) {
                throw new ModelException("patch tensor " + e.getKey() + ": data offsets [" + b + ", " + end
                        + ") outside the " + dataLen + " data bytes");
            }
            long[] shape = longs(t.get("shape"));
            long n = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new ModelException("patch tensor " + e.getKey() + ": negative dimension");
                }
                n = Math.multiplyExact(n, d);
            }
            if (n * 4 != end - b) {
                throw new ModelException("patch tensor " + e.getKey() + ": shape " + Arrays.toString(shape)
                        + " does not match " + (end - b) + " bytes");
            }
            float[] v = new float[(int) n];
            ByteBuffer.wrap(bytes, (int) (dataStart + b), (int) (end - b)).slice().order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().get(v);
            tensors.put(e.getKey(), v);
            shapes.put(e.getKey(), shape);
        }
        Map<String, String> extra = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : meta.entrySet()) {
            if (e.getKey().startsWith("x.")) {
                extra.put(e.getKey().substring(2), String.valueOf(e.getValue()));
            }
        }
        Provenance prov = new Provenance((String) meta.get("base_sha256"), (String) meta.get("result_sha256"),
                (String) meta.get("rules_sha256"), (String) meta.get("compiler_version"), extra);
        List<Object> list = (List<Object>) Json.parse((String) meta.get("edits"));
        List<TensorEdit> edits = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Map<String, Object> d = (Map<String, Object>) list.get(i);
            String p = "e" + i + ".";
            String tensor = (String) d.get("tensor");
            String rule = d.get("rule") == null ? "" : (String) d.get("rule");
            long[] dims = longs(d.get("dims"));
            switch (String.valueOf(d.get("kind"))) {
                case "add" -> edits.add(new TensorEdit.AddDelta(tensor, rule, dims, need(tensors, p + "delta"),
                        need(tensors, p + "original")));
                case "replace" -> edits.add(new TensorEdit.ReplaceSlice(tensor, rule, dims,
                        Math.toIntExact((Long) d.get("offset")), need(tensors, p + "values"),
                        need(tensors, p + "original")));
                case "grow" -> edits.add(new TensorEdit.Grow(tensor, rule, dims, need(tensors, p + "original"),
                        longs(d.get("new_dims")), need(tensors, p + "values")));
                default -> throw new ModelException("patch edit #" + i + ": unknown kind " + d.get("kind"));
            }
        }
        return new Patch(prov, edits);
    }

    private static float[] need(Map<String, float[]> t, String key) {
        float[] v = t.get(key);
        if (v == null) {
            throw new ModelException("patch is missing tensor " + key);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static long[] longs(Object o) {
        List<Object> l = (List<Object>) o;
        long[] r = new long[l.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (Long) l.get(i);
        }
        return r;
    }
}
