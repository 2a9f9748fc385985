package dev.engram.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.engram.model.ModelException;
import dev.engram.model.ModelLimits;
import dev.engram.model.io.Json;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code .epatch} file format, in the safetensors layout: an 8-byte little-endian header length, a JSON header
 * padded with spaces to a multiple of 8 bytes, then the raw little-endian float32 data. The header maps
 * {@code __metadata__} (format, version, model and rule hashes, compiler version, {@code x.*} extras, and the
 * edit list as a JSON string) and then each tensor {@code e<i>.<role>} to its dtype, shape and data offsets.
 *
 * <pre>{"__metadata__":{"format":"engram-patch","version":"1","base_sha256":"…","result_sha256":"…",
 *   "rules_sha256":"…","compiler_version":"0.1.0","x.note":"…",
 *   "edits":"[{\"kind\":\"replace\",\"tensor\":\"layer0.bias\",\"rule\":\"r\",\"dims\":[3],\"offset\":1}]"},
 *  "e0.values":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
 *  "e0.original":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}</pre>
 */
final class PatchCodec {

    static final String FORMAT = "engram-patch";
    static final String VERSION = "1";
    private static final long MAX_HEADER = 100L << 20;

    private PatchCodec() {
    }

    // ------------------------------------------------------------------------------------------------ write

    static byte[] toBytes(Patch patch) {
        ObjectNode meta = metadata(patch.provenance());
        ObjectNode tensors = Json.object();
        List<float[]> blobs = new ArrayList<>();
        long[] offset = {0};
        ArrayNode list = Json.array();
        List<TensorEdit> edits = patch.edits();
        for (int i = 0; i < edits.size(); i++) {
            TensorEdit e = edits.get(i);
            ObjectNode d = list.addObject().put("kind", Patch.kind(e)).put("tensor", e.tensor()).put("rule", e.rule());
            String p = "e" + i + ".";
            if (e instanceof TensorEdit.AddDelta a) {
                d.set("dims", Json.array(a.dims()));
                tensor(tensors, blobs, offset, p + "delta", a.dims(), a.delta());
                tensor(tensors, blobs, offset, p + "original", a.dims(), a.original());
            } else if (e instanceof TensorEdit.ReplaceSlice r) {
                d.set("dims", Json.array(r.dims()));
                d.put("offset", (long) r.offset());
                tensor(tensors, blobs, offset, p + "values", new long[] {r.values().length}, r.values());
                tensor(tensors, blobs, offset, p + "original", new long[] {r.original().length}, r.original());
            } else if (e instanceof TensorEdit.Grow g) {
                d.set("dims", Json.array(g.oldDims()));
                d.set("new_dims", Json.array(g.newDims()));
                tensor(tensors, blobs, offset, p + "original", g.oldDims(), g.original());
                tensor(tensors, blobs, offset, p + "values", g.newDims(), g.values());
            }
        }
        meta.put("edits", Json.write(list));
        ObjectNode header = Json.object();
        header.set("__metadata__", meta);
        header.setAll(tensors);
        return layout(Json.write(header).getBytes(StandardCharsets.UTF_8), blobs, offset[0]);
    }

    private static ObjectNode metadata(Provenance provenance) {
        ObjectNode meta = Json.object().put("format", FORMAT).put("version", VERSION);
        if (provenance.baseSha256() != null) {
            meta.put("base_sha256", provenance.baseSha256());
        }
        if (provenance.resultSha256() != null) {
            meta.put("result_sha256", provenance.resultSha256());
        }
        meta.put("rules_sha256", provenance.rulesSha256());
        meta.put("compiler_version", provenance.compilerVersion());
        provenance.extra().forEach((k, v) -> meta.put("x." + k, v));
        return meta;
    }

    private static void tensor(ObjectNode tensors, List<float[]> blobs, long[] offset, String key, long[] dims,
                               float[] data) {
        ObjectNode t = tensors.putObject(key).put("dtype", "F32");
        t.set("shape", Json.array(dims));
        t.set("data_offsets", Json.array(offset[0], offset[0] + data.length * 4L));
        offset[0] += data.length * 4L;
        blobs.add(data);
    }

    private static byte[] layout(byte[] json, List<float[]> blobs, long dataBytes) {
        int pad = (8 - json.length % 8) % 8;
        int hlen = json.length + pad;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + hlen + dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
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

    // ------------------------------------------------------------------------------------------------- read

    /** Parses the safetensors layout within {@code limits}; a {@link ModelException} explains any inconsistency. */
    static Patch fromBytes(byte[] bytes, ModelLimits limits) {
        try {
            return decode(bytes, limits.budget());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ModelException("not a valid .epatch file: " + e.getMessage());
        }
    }

    private static Patch decode(byte[] bytes, ModelLimits.Budget budget) {
        if (bytes.length < 8) {
            throw new ModelException("not a valid .epatch file: too short");
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long hlen = bb.getLong();
        if (hlen < 2 || hlen > MAX_HEADER || hlen > bytes.length - 8) {
            throw new ModelException("not a valid .epatch file: header length " + hlen + " out of range");
        }
        JsonNode header = Json.parse(new String(bytes, 8, (int) hlen, StandardCharsets.UTF_8));
        if (!header.isObject()) {
            throw new ModelException("not a valid .epatch file: header is not a JSON object");
        }
        JsonNode meta = header.get("__metadata__");
        if (meta == null || !meta.isObject() || !FORMAT.equals(text(meta, "format"))) {
            throw new ModelException("not an Engram patch (missing __metadata__.format = " + FORMAT + ")");
        }
        if (!VERSION.equals(text(meta, "version"))) {
            throw new ModelException("unsupported patch version " + meta.get("version"));
        }
        Map<String, float[]> tensors = tensors(header, bytes, 8 + (int) hlen, budget);
        return new Patch(provenance(meta), edits(Json.parse(required(meta, "edits")), tensors, budget.limits()));
    }

    private static Provenance provenance(JsonNode meta) {
        Map<String, String> extra = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("x.")) {
                JsonNode v = e.getValue();
                extra.put(e.getKey().substring(2), v.isTextual() ? v.textValue() : v.toString());
            }
        }
        return new Provenance(text(meta, "base_sha256"), text(meta, "result_sha256"), text(meta, "rules_sha256"),
                text(meta, "compiler_version"), extra);
    }

    /**
     * Every tensor of the header, read from the data section after checking its offsets and shape. Tensors may not
     * share bytes: together they fit in the data section, so the floats allocated never exceed the file's size.
     */
    private static Map<String, float[]> tensors(JsonNode header, byte[] bytes, int dataStart,
                                                ModelLimits.Budget budget) {
        long dataLen = bytes.length - dataStart;
        long taken = 0;
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            String name = e.getKey();
            JsonNode t = e.getValue();
            if (!t.isObject()) {
                throw new ModelException("patch tensor " + name + ": not a JSON object");
            }
            if (!"F32".equals(text(t, "dtype"))) {
                throw new ModelException("patch tensor " + name + ": unsupported dtype " + t.get("dtype"));
            }
            long[] off = longs(t.get("data_offsets"), "patch tensor " + name + ": data_offsets");
            if (off.length != 2) {
                throw new ModelException("patch tensor " + name + ": data_offsets must hold two numbers");
            }
            long b = off[0];
            long end = off[1];
            if (b < 0 || end < b || end > dataLen || (end - b) % 4 != 0) {
                throw new ModelException("patch tensor " + name + ": data offsets [" + b + ", " + end
                        + ") outside the " + dataLen + " data bytes");
            }
            long[] shape = longs(t.get("shape"), "patch tensor " + name + ": shape");
            long n = budget.reserveElements("patch tensor " + name, shape);
            if (n * 4 != end - b) {
                throw new ModelException("patch tensor " + name + ": shape " + Arrays.toString(shape)
                        + " does not match " + (end - b) + " bytes");
            }
            taken += end - b;
            if (taken > dataLen) {
                throw new ModelException("patch tensor " + name + ": the tensors take more than the " + dataLen
                        + " data bytes (their data ranges overlap)");
            }
            float[] v = new float[(int) n];
            ByteBuffer.wrap(bytes, (int) (dataStart + b), (int) (end - b)).slice().order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().get(v);
            tensors.put(name, v);
        }
        return tensors;
    }

    private static List<TensorEdit> edits(JsonNode list, Map<String, float[]> tensors, ModelLimits limits) {
        if (!list.isArray()) {
            throw new ModelException("patch edit list is not a JSON array");
        }
        List<TensorEdit> edits = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode d = list.get(i);
            String what = "patch edit #" + i;
            if (!d.isObject()) {
                throw new ModelException(what + ": not a JSON object");
            }
            String p = "e" + i + ".";
            String tensor = required(d, "tensor");
            String rule = text(d, "rule") == null ? "" : text(d, "rule");
            long[] dims = longs(d.get("dims"), what + ": dims");
            limits.checkDims(what + " of '" + tensor + "': dims", dims);
            String kind = text(d, "kind");
            switch (kind == null ? "" : kind) {
                case "add" -> edits.add(new TensorEdit.AddDelta(tensor, rule, dims, need(tensors, p + "delta"),
                        need(tensors, p + "original")));
                case "replace" -> edits.add(new TensorEdit.ReplaceSlice(tensor, rule, dims,
                        Math.toIntExact(integer(d.get("offset"), what + ": offset")), need(tensors, p + "values"),
                        need(tensors, p + "original")));
                case "grow" -> {
                    long[] grown = longs(d.get("new_dims"), what + ": new_dims");
                    limits.checkDims(what + " of '" + tensor + "': new_dims", grown);
                    edits.add(new TensorEdit.Grow(tensor, rule, dims, need(tensors, p + "original"), grown,
                            need(tensors, p + "values")));
                }
                default -> throw new ModelException(what + ": unknown kind " + d.get("kind"));
            }
        }
        return edits;
    }

    /** A string member, or null when absent or null; any other type is an error. */
    private static String text(JsonNode o, String key) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("'" + key + "' must be a string, not "
                    + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return v.textValue();
    }

    private static String required(JsonNode o, String key) {
        String s = text(o, key);
        if (s == null) {
            throw new IllegalArgumentException("'" + key + "' is missing");
        }
        return s;
    }

    private static long integer(JsonNode v, String what) {
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException(what + " must be an integer");
        }
        return v.longValue();
    }

    private static long[] longs(JsonNode v, String what) {
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException(what + " must be an array of integers");
        }
        long[] r = new long[v.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = integer(v.get(i), what + "[" + i + "]");
        }
        return r;
    }

    private static float[] need(Map<String, float[]> t, String key) {
        float[] v = t.get(key);
        if (v == null) {
            throw new ModelException("patch is missing tensor " + key);
        }
        return v;
    }
}
