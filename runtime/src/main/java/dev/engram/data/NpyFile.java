package dev.engram.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NumPy {@code .npy} file, versions 1 to 3: the magic {@code \x93NUMPY}, the version, the header length (16 bits
 * little-endian in version 1, 32 bits after), a Python dict literal with {@code descr}, {@code fortran_order} and
 * {@code shape}, then the elements in C order. Element types: {@code u1 i1 b1 i2 u2 i4 i8 f4 f8}, either byte order.
 * A Fortran-ordered array is refused (re-save it with {@code np.ascontiguousarray}).
 */
final class NpyFile implements ArrayFile {
    /** Largest header accepted (NumPy writes a few hundred bytes). */
    static final int MAX_HEADER = 1 << 16;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private final long[] shape;
    private final int width;
    private final String descr;
    private final Elements.Kind kind;
    private final Elements elements;

    private NpyFile(long[] shape, int width, String descr, Elements.Kind kind, Elements elements) {
        this.shape = shape;
        this.width = width;
        this.descr = descr;
        this.kind = kind;
        this.elements = elements;
    }

    static NpyFile read(Path file, InputStream in, long fileBytes) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || (magic[0] & 0xff) != 0x93 || !new String(magic, 1, 5, StandardCharsets.US_ASCII)
                .equals("NUMPY")) {
            throw new IllegalArgumentException(file + ": not an NPY file (bad magic string)");
        }
        int major = magic[6] & 0xff;
        long headerLen;
        int prefix;
        if (major == 1) {
            byte[] b = in.readNBytes(2);
            headerLen = b.length < 2 ? -1 : (b[0] & 0xff) | ((b[1] & 0xff) << 8);
            prefix = 10;
        } else if (major == 2 || major == 3) {
            byte[] b = in.readNBytes(4);
            headerLen = b.length < 4 ? -1 : (b[0] & 0xffL) | ((b[1] & 0xffL) << 8) | ((b[2] & 0xffL) << 16)
                    | ((b[3] & 0xffL) << 24);
            prefix = 12;
        } else {
            throw new IllegalArgumentException(file + ": NPY version " + major + " (1 to 3 supported)");
        }
        if (headerLen < 0 || headerLen > MAX_HEADER) {
            throw new IllegalArgumentException(file + ": NPY header length " + headerLen + " (at most " + MAX_HEADER
                    + ")");
        }
        byte[] hb = in.readNBytes((int) headerLen);
        if (hb.length < headerLen) {
            throw new IllegalArgumentException(file + ": truncated header");
        }
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IllegalArgumentException(file + ": NPY header without descr, fortran_order and shape: "
                    + header.strip());
        }
        if (f.group(1).equals("True")) {
            throw new IllegalArgumentException(file + ": a Fortran-ordered array; save it in C order "
                    + "(np.save(path, np.ascontiguousarray(a)))");
        }
        Elements.Kind kind = kind(file, d.group(2), Integer.parseInt(d.group(3)));
        ByteOrder order = d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        long[] shape = shape(file, s.group(1));
        int width = ArrayFile.checkShape(file, shape);
        long need = prefix + headerLen + shape[0] * width * kind.size;
        if (fileBytes >= 0 && need > fileBytes) {
            throw new IllegalArgumentException(file + ": truncated: the header promises " + shape[0] + " rows of "
                    + width + " values (" + need + " bytes), the file has " + fileBytes + " bytes");
        }
        String descr = d.group(1) + d.group(2) + d.group(3);
        return new NpyFile(shape, width, descr, kind, new Elements(file, in, kind, order, width, shape[0]));
    }

    private static Elements.Kind kind(Path file, String letter, int size) {
        String t = letter + size;
        return switch (t) {
            case "u1", "b1" -> Elements.Kind.U8;
            case "i1" -> Elements.Kind.I8;
            case "i2" -> Elements.Kind.I16;
            case "u2" -> Elements.Kind.U16;
            case "i4" -> Elements.Kind.I32;
            case "i8" -> Elements.Kind.I64;
            case "f4" -> Elements.Kind.F32;
            case "f8" -> Elements.Kind.F64;
            default -> throw new IllegalArgumentException(file + ": NPY element type '" + t + "' is not supported "
                    + "(u1 i1 b1 i2 u2 i4 i8 f4 f8)");
        };
    }

    /** {@code "60000, 784"} or {@code "60000,"} or {@code ""} (a scalar: one row of one value). */
    private static long[] shape(Path file, String text) {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            try {
                dims.add(Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ": bad NPY shape (" + text + ")");
            }
        }
        if (dims.isEmpty()) {
            dims.add(1L);
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public int rowWidth() {
        return width;
    }

    @Override
    public String type() {
        return "npy " + descr;
    }

    @Override
    public boolean integral() {
        return kind.integral;
    }

    @Override
    public boolean unsignedBytes() {
        return kind == Elements.Kind.U8 && !descr.endsWith("b1");
    }

    @Override
    public int read(float[][] dst, int max) {
        return elements.read(dst, max);
    }

    @Override
    public void close() {
        elements.close();
    }
}
