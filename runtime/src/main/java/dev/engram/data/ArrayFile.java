package dev.engram.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * A numeric array file read row by row, so that data larger than memory can be streamed: IDX (the MNIST family's
 * format, gzip-compressed or not) or NPY (NumPy's format, versions 1 to 3, C order). The first dimension counts rows;
 * a row is the rest of the array, flattened. Values are returned as stored (no scaling); {@link #unsignedBytes()}
 * tells callers when the images convention applies. The header is checked against fixed caps before anything is
 * allocated, and a file that ends early is an error naming the row where it ended. Files are only read.
 */
public interface ArrayFile extends AutoCloseable {

    /** Largest number of values in one row (16 M). */
    int MAX_ROW_WIDTH = 1 << 24;

    /** Largest number of dimensions. */
    int MAX_DIMS = 8;

    /** The array's shape; {@code shape()[0]} counts rows. */
    long[] shape();

    /** Number of rows. */
    default long rows() {
        return shape()[0];
    }

    /** Values per row: the product of the dimensions after the first (1 for a vector). */
    int rowWidth();

    /** The element type in the file's own words ({@code ubyte}, {@code <f4}, ...). */
    String type();

    /** True when the elements are whole numbers (labels). */
    boolean integral();

    /** True when the elements are unsigned bytes (grey images: divide by 255 for [0, 1]). */
    boolean unsignedBytes();

    /**
     * Reads up to {@code max} rows into {@code dst[0..max)} (each row an array of {@link #rowWidth()} floats);
     * returns the number of rows read, 0 at the end.
     */
    int read(float[][] dst, int max);

    @Override
    void close();

    /** Opens an IDX or NPY file, told apart by their first bytes (gzip-compressed IDX too). */
    static ArrayFile open(Path file) {
        InputStream in;
        try {
            in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
        try {
            in.mark(8);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                InputStream z = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
                return IdxFile.read(file, z, -1);
            }
            if (b0 == 0x93 && b1 == 'N') {
                return NpyFile.read(file, in, Files.size(file));
            }
            if (b0 == 0 && b1 == 0) {
                return IdxFile.read(file, in, Files.size(file));
            }
            in.close();
            throw new IllegalArgumentException(file + ": neither an IDX nor an NPY file (it starts with bytes "
                    + hex(b0) + " " + hex(b1) + ")");
        } catch (IOException e) {
            closeQuietly(in);
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(in);
            throw e;
        }
    }

    private static String hex(int b) {
        return b < 0 ? "(end of file)" : String.format("%02x", b);
    }

    /** Closes {@code in}, ignoring failures (used on error paths). */
    static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    /** The row width of {@code shape} after checking every cap; {@code what} names the file in errors. */
    static int checkShape(Path what, long[] shape) {
        if (shape.length < 1 || shape.length > MAX_DIMS) {
            throw new IllegalArgumentException(what + ": " + shape.length + " dimensions (1 to " + MAX_DIMS
                    + " supported)");
        }
        long width = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + ": dimension " + i + " is " + shape[i]);
            }
            if (i > 0) {
                width *= shape[i];
                if (width > MAX_ROW_WIDTH) {
                    throw new IllegalArgumentException(what + ": rows of more than " + MAX_ROW_WIDTH + " values");
                }
            }
        }
        return (int) width;
    }
}
