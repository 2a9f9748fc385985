package dev.engram.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Reads rows of fixed-size numeric elements from a stream into floats: the one decoding loop behind {@link IdxFile}
 * and {@link NpyFile}. A stream that ends inside the data is reported with the row where it ended.
 */
final class Elements {
    /** The element kinds both formats share. */
    enum Kind {
        U8(1, true), I8(1, true), I16(2, true), U16(2, true), I32(4, true), I64(8, true), F32(4, false),
        F64(8, false);

        final int size;
        final boolean integral;

        Kind(int size, boolean integral) {
            this.size = size;
            this.integral = integral;
        }
    }

    private final Path file;
    private final InputStream in;
    private final Kind kind;
    private final ByteOrder order;
    private final int width;
    private final long rows;
    private final byte[] buf;
    private long done;

    Elements(Path file, InputStream in, Kind kind, ByteOrder order, int width, long rows) {
        this.file = file;
        this.in = in;
        this.kind = kind;
        this.order = order;
        this.width = width;
        this.rows = rows;
        this.buf = new byte[Math.max(1, width * kind.size)];
    }

    int read(float[][] dst, int max) {
        int n = (int) Math.min(max, rows - done);
        for (int r = 0; r < n; r++) {
            try {
                readFully(width * kind.size);
            } catch (EOFException e) {
                throw new IllegalArgumentException(file + ": truncated: the header promises " + rows
                        + " rows, the data ends in row " + (done + 1));
            } catch (IOException e) {
                throw new IllegalArgumentException(file + ": cannot read row " + (done + 1) + ": " + e.getMessage(), e);
            }
            decode(dst[r]);
            done++;
        }
        return n;
    }

    private void readFully(int len) throws IOException {
        int off = 0;
        while (off < len) {
            int k = in.read(buf, off, len - off);
            if (k < 0) {
                throw new EOFException();
            }
            off += k;
        }
    }

    private void decode(float[] row) {
        if (row.length < width) {
            throw new IllegalArgumentException("row buffer of " + row.length + " values for rows of " + width);
        }
        ByteBuffer bb = ByteBuffer.wrap(buf).order(order);
        switch (kind) {
            case U8 -> {
                for (int i = 0; i < width; i++) {
                    row[i] = buf[i] & 0xff;
                }
            }
            case I8 -> {
                for (int i = 0; i < width; i++) {
                    row[i] = buf[i];
                }
            }
            case I16 -> {
                for (int i = 0; i < width; i++) {
                    row[i] = bb.getShort(2 * i);
                }
            }
            case U16 -> {
                for (int i = 0; i < width; i++) {
                    row[i] = bb.getShort(2 * i) & 0xffff;
                }
            }
            case I32 -> {
                for (int i = 0; i < width; i++) {
                    row[i] = bb.getInt(4 * i);
                }
            }
            case I64 -> {
                for (int i = 0; i < width; i++) {
                    row[i] = bb.getLong(8 * i);
                }
            }
            case F32 -> bb.asFloatBuffer().get(row, 0, width);
            case F64 -> {
                for (int i = 0; i < width; i++) {
                    row[i] = (float) bb.getDouble(8 * i);
                }
            }
            default -> throw new IllegalStateException(kind.name());
        }
    }

    void close() {
        ArrayFile.closeQuietly(in);
    }
}
