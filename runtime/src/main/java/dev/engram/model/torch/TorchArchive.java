package dev.engram.model.torch;

import dev.engram.model.ModelException;
import dev.engram.model.ModelLimits;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A TorchScript archive held in memory: a zip whose central directory is read directly (PyTorch writes stored
 * entries with data descriptors, which streaming zip readers reject). Entries are read on demand, stored or
 * deflated, never beyond the size the directory declares nor beyond a caller's cap.
 */
final class TorchArchive {

    /** One directory entry: compression method, sizes and the offset of its local header. */
    record Entry(String name, int method, long compressedSize, long size, long localHeader) {
    }

    private final String label;
    private final byte[] bytes;
    private final Map<String, Entry> entries;

    private TorchArchive(String label, byte[] bytes, Map<String, Entry> entries) {
        this.label = label;
        this.bytes = bytes;
        this.entries = entries;
    }

    /** Reads the directory of {@code bytes}; refuses anything that is not a zip holding a TorchScript module. */
    static TorchArchive of(String label, byte[] bytes) {
        TorchArchive a = new TorchArchive(label, bytes, directory(label, bytes));
        boolean data = false;
        boolean code = false;
        boolean version = false;
        for (String n : a.entries.keySet()) {
            int slash = n.indexOf('/');
            String rest = slash < 0 ? n : n.substring(slash + 1);
            data |= rest.equals("data.pkl");
            code |= rest.startsWith("code/");
            version |= rest.equals("version") || rest.equals(".data/version");
        }
        if (!data || !code || !version) {
            throw new ModelException(label + ": not a TorchScript archive: missing "
                    + (!data ? "data.pkl" : !code ? "code/" : "version") + " (save the module with torch.jit.save)");
        }
        return a;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    /**
     * Refuses an archive whose entries would unpack to more than the byte budget (a zip bomb for the native
     * loader, which trusts the sizes the directory declares) or hold more than {@code maxNodes} entries.
     */
    void checkSizes(ModelLimits limits) {
        if (entries.size() > limits.maxNodes()) {
            throw new ModelException(label + ": " + entries.size() + " archive entries exceed the cap of "
                    + limits.maxNodes());
        }
        ModelLimits.Budget budget = limits.budget();
        budget.reserveBytes(label, bytes.length);
        for (Entry e : entries.values()) { // a stored entry is the file's own bytes; inflating adds the rest
            budget.reserveBytes(label + ": archive entry '" + e.name() + "' unpacked",
                    Math.max(0, e.size() - e.compressedSize()));
        }
    }

    /** The archive's top folder ({@code tiny_mlp/} for {@code tiny_mlp/data.pkl}). */
    String prefix() {
        for (String n : entries.keySet()) {
            if (n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length()) {
                return n.substring(0, n.indexOf('/') + 1);
            }
        }
        return "";
    }

    /** The content of an entry, or null when there is none; refuses entries larger than {@code maxBytes}. */
    byte[] read(String name, long maxBytes) {
        Entry e = entries.get(name);
        if (e == null) {
            return null;
        }
        String what = label + ": archive entry '" + name + "'";
        if (e.size() > maxBytes || e.compressedSize() > bytes.length) {
            throw new ModelException(what + " has " + e.size() + " bytes, more than the cap of " + maxBytes);
        }
        long h = e.localHeader();
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (h < 0 || h > bytes.length - 30 || buf.getInt((int) h) != 0x04034b50) {
            throw new ModelException(what + ": corrupt local header");
        }
        long start = h + 30 + Short.toUnsignedInt(buf.getShort((int) h + 26))
                + Short.toUnsignedInt(buf.getShort((int) h + 28));
        if (start + e.compressedSize() > bytes.length) {
            throw new ModelException(what + ": data runs past the end of the file");
        }
        if (e.method() == 0) {
            if (e.compressedSize() != e.size()) {
                throw new ModelException(what + ": stored entry with two different sizes");
            }
            byte[] out = new byte[(int) e.size()];
            System.arraycopy(bytes, (int) start, out, 0, out.length);
            return out;
        }
        if (e.method() != 8) {
            throw new ModelException(what + ": unsupported compression method " + e.method());
        }
        return inflate(what, (int) start, (int) e.compressedSize(), (int) e.size());
    }

    private byte[] inflate(String what, int start, int length, int size) {
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(bytes, start, length);
            byte[] out = new byte[size];
            int n = 0;
            while (n < size && !inf.finished()) {
                int k = inf.inflate(out, n, size - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += k;
            }
            if (n != size || !inf.finished()) {
                throw new ModelException(what + ": inflates to a size other than the " + size + " bytes declared");
            }
            return out;
        } catch (DataFormatException ex) {
            throw new ModelException(what + ": corrupt compressed data");
        } finally {
            inf.end();
        }
    }

    /** The entries of the central directory, located through the end-of-directory record. */
    private static Map<String, Entry> directory(String label, byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = -1;
        for (int i = b.length - 22; i >= Math.max(0, b.length - 22 - 65535); i--) {
            if (buf.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new ModelException(label + ": not a TorchScript archive (a zip file is expected): no zip directory"
                    + " found (empty, truncated or not a zip)");
        }
        long count = Short.toUnsignedInt(buf.getShort(eocd + 10));
        long offset = Integer.toUnsignedLong(buf.getInt(eocd + 16));
        if (offset == 0xFFFFFFFFL || count == 0xFFFF) { // zip64: the zip64 end record holds the real values
            int loc = eocd - 20;
            if (loc < 0 || buf.getInt(loc) != 0x07064b50) {
                throw new ModelException(label + ": corrupt zip64 directory");
            }
            long rec = buf.getLong(loc + 8);
            if (rec < 0 || rec > b.length - 56 || buf.getInt((int) rec) != 0x06064b50) {
                throw new ModelException(label + ": corrupt zip64 directory");
            }
            count = buf.getLong((int) rec + 32);
            offset = buf.getLong((int) rec + 48);
        }
        if (count < 0 || count > b.length / 46) { // every directory entry takes at least 46 bytes
            throw new ModelException(label + ": not a TorchScript archive: the zip directory claims " + count
                    + " entries, more than the file can hold");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        long p = offset;
        for (int k = 0; k < count; k++) {
            if (p < 0 || p > b.length - 46 || buf.getInt((int) p) != 0x02014b50) {
                throw new ModelException(label + ": not a TorchScript archive: corrupt zip directory (entry " + k
                        + " of " + count + ")");
            }
            int nameLen = Short.toUnsignedInt(buf.getShort((int) p + 28));
            int extra = Short.toUnsignedInt(buf.getShort((int) p + 30));
            int comment = Short.toUnsignedInt(buf.getShort((int) p + 32));
            if (p + 46 + nameLen > b.length) {
                throw new ModelException(label + ": not a TorchScript archive: corrupt zip directory");
            }
            String name = new String(b, (int) p + 46, nameLen, StandardCharsets.UTF_8);
            entries.put(name, new Entry(name, Short.toUnsignedInt(buf.getShort((int) p + 10)),
                    Integer.toUnsignedLong(buf.getInt((int) p + 20)), Integer.toUnsignedLong(buf.getInt((int) p + 24)),
                    Integer.toUnsignedLong(buf.getInt((int) p + 42))));
            p += 46L + nameLen + extra + comment;
        }
        return entries;
    }
}
