package dev.engram.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * An IDX file (the MNIST family's format): two zero bytes, a type byte ({@code 0x08} unsigned byte, {@code 0x09}
 * signed byte, {@code 0x0B} short, {@code 0x0C} int, {@code 0x0D} float, {@code 0x0E} double), the number of
 * dimensions, one big-endian 32-bit size per dimension, then the elements, big-endian, in row-major order.
 */
final class IdxFile implements ArrayFile {
    private final long[] shape;
    private final int width;
    private final Elements.Kind kind;
    private final Elements elements;

    private IdxFile(long[] shape, int width, Elements.Kind kind, Elements elements) {
        this.shape = shape;
        this.width = width;
        this.kind = kind;
        this.elements = elements;
    }

    /**
     * Reads the header from {@code in} (already decompressed); {@code fileBytes} is the file's size when the data is
     * not compressed (so a short file is refused before reading), else -1.
     */
    static IdxFile read(Path file, InputStream in, long fileBytes) throws IOException {
        byte[] head = in.readNBytes(4);
        if (head.length < 4 || head[0] != 0 || head[1] != 0) {
            throw new IllegalArgumentException(file + ": not an IDX file (bad magic number)");
        }
        Elements.Kind kind = switch (head[2]) {
            case 0x08 -> Elements.Kind.U8;
            case 0x09 -> Elements.Kind.I8;
            case 0x0B -> Elements.Kind.I16;
            case 0x0C -> Elements.Kind.I32;
            case 0x0D -> Elements.Kind.F32;
            case 0x0E -> Elements.Kind.F64;
            default -> throw new IllegalArgumentException(file + ": unknown IDX element type 0x"
                    + String.format("%02x", head[2] & 0xff));
        };
        int dims = head[3] & 0xff;
        if (dims < 1 || dims > MAX_DIMS) {
            throw new IllegalArgumentException(file + ": " + dims + " dimensions (1 to " + MAX_DIMS + " supported)");
        }
        byte[] sizes = in.readNBytes(4 * dims);
        if (sizes.length < 4 * dims) {
            throw new IllegalArgumentException(file + ": truncated header");
        }
        long[] shape = new long[dims];
        for (int i = 0; i < dims; i++) {
            shape[i] = ((sizes[4 * i] & 0xffL) << 24) | ((sizes[4 * i + 1] & 0xffL) << 16)
                    | ((sizes[4 * i + 2] & 0xffL) << 8) | (sizes[4 * i + 3] & 0xffL);
        }
        int width = ArrayFile.checkShape(file, shape);
        if (fileBytes >= 0) {
            long need = 4 + 4L * dims + shape[0] * width * kind.size;
            if (need > fileBytes) {
                throw new IllegalArgumentException(file + ": truncated: the header promises " + shape[0] + " rows of "
                        + width + " values (" + need + " bytes), the file has " + fileBytes + " bytes");
            }
        }
        return new IdxFile(shape, width, kind, new Elements(file, in, kind, ByteOrder.BIG_ENDIAN, width, shape[0]));
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
        return "idx " + kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public boolean integral() {
        return kind.integral;
    }

    @Override
    public boolean unsignedBytes() {
        return kind == Elements.Kind.U8;
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
