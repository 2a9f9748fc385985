package dev.engram.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IDX (plain and gzip) and NPY files read row by row; short, foreign and unsupported files refused clearly. */
class ArrayFilesTest {

    /** An IDX file of unsigned bytes with the given shape; values {@code (i * 7) % 256}. */
    static byte[] idxBytes(int type, int[] shape, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * shape.length + data.length).order(ByteOrder.BIG_ENDIAN);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) shape.length);
        for (int s : shape) {
            b.putInt(s);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(bo)) {
            z.write(raw);
        }
        return bo.toByteArray();
    }

    /** An NPY version 1 file. */
    static byte[] npyBytes(String descr, String shape, boolean fortran, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': ("
                + shape + "), }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        b.put(data);
        return b.array();
    }

    private static float[][] readAll(Path f) {
        try (ArrayFile a = ArrayFile.open(f)) {
            float[][] rows = new float[(int) a.rows()][a.rowWidth()];
            int n = 0;
            for (int k = a.read(rows, 3); k > 0; k = a.read(Arrays.copyOfRange(rows, n, rows.length), 3)) {
                n += k;
            }
            return rows;
        }
    }

    @Test
    void idxPlainAndGzipReadTheSameRows(@TempDir Path tmp) throws IOException {
        byte[] data = new byte[5 * 2 * 3];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) ((i * 37) % 256);
        }
        byte[] raw = idxBytes(0x08, new int[] {5, 2, 3}, data);
        Path plain = Files.write(tmp.resolve("x-images-idx3-ubyte"), raw);
        Path gz = Files.write(tmp.resolve("y-images-idx3-ubyte.gz"), gzip(raw));
        for (Path f : List.of(plain, gz)) {
            try (ArrayFile a = ArrayFile.open(f)) {
                assertArrayEquals(new long[] {5, 2, 3}, a.shape());
                assertEquals(6, a.rowWidth());
                assertTrue(a.unsignedBytes());
                float[][] rows = new float[5][6];
                assertEquals(5, a.read(rows, 10));
                assertEquals(0, a.read(rows, 10));
                for (int i = 0; i < data.length; i++) {
                    assertEquals(data[i] & 0xff, rows[i / 6][i % 6]);
                }
            }
        }
    }

    @Test
    void idxFloatsAndLabelsPairUp(@TempDir Path tmp) throws IOException {
        ByteBuffer d = ByteBuffer.allocate(4 * 4).order(ByteOrder.BIG_ENDIAN);
        d.putFloat(1.5f).putFloat(-2f).putFloat(0.25f).putFloat(1e9f);
        Files.write(tmp.resolve("t-images-idx3-ubyte"), idxBytes(0x0D, new int[] {2, 2}, d.array()));
        Files.write(tmp.resolve("t-labels-idx1-ubyte"), idxBytes(0x08, new int[] {2}, new byte[] {3, 0}));
        Path in = tmp.resolve("t-images-idx3-ubyte");
        assertEquals(Optional.of(tmp.resolve("t-labels-idx1-ubyte")), ArrayData.labelsFor(in));
        Dataset ds = ArrayData.load(in, List.of());
        assertEquals(List.of("0", "1", "2", "3"), ds.classes());
        assertArrayEquals(new int[] {3, 0}, ds.y());
        assertArrayEquals(new float[] {1.5f, -2f}, ds.x()[0]);
        assertArrayEquals(new float[] {0.25f, 1e9f}, ds.x()[1]);
    }

    @Test
    void npyInEveryByteOrderAndType(@TempDir Path tmp) throws IOException {
        ByteBuffer le = ByteBuffer.allocate(6 * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer be = ByteBuffer.allocate(6 * 8).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < 6; i++) {
            le.putFloat(i - 2.5f);
            be.putDouble(i * 1e3);
        }
        Files.write(tmp.resolve("a.npy"), npyBytes("<f4", "3, 2", false, le.array()));
        Files.write(tmp.resolve("b.npy"), npyBytes(">f8", "2, 3", false, be.array()));
        ByteBuffer l8 = ByteBuffer.allocate(3 * 8).order(ByteOrder.LITTLE_ENDIAN).putLong(2).putLong(0).putLong(1);
        Files.write(tmp.resolve("a.labels.npy"), npyBytes("<i8", "3,", false, l8.array()));
        float[][] a = readAll(tmp.resolve("a.npy"));
        assertArrayEquals(new float[] {-2.5f, -1.5f}, a[0]);
        assertArrayEquals(new float[] {1.5f, 2.5f}, a[2]);
        float[][] b = readAll(tmp.resolve("b.npy"));
        assertArrayEquals(new float[] {3000f, 4000f, 5000f}, b[1]);
        Dataset ds = ArrayData.load(tmp.resolve("a.npy"), List.of("p", "q", "r"));
        assertArrayEquals(new int[] {2, 0, 1}, ds.y());
    }

    @Test
    void shortForeignAndUnsupportedFilesAreRefusedClearly(@TempDir Path tmp) throws IOException {
        byte[] raw = idxBytes(0x08, new int[] {4, 3}, new byte[12]);
        Path cut = Files.write(tmp.resolve("cut-images-idx3-ubyte"), Arrays.copyOf(raw, raw.length - 2));
        assertTrue(message(cut).contains("truncated"), message(cut));
        Path cutGz = Files.write(tmp.resolve("cutgz-images-idx3-ubyte.gz"), gzip(Arrays.copyOf(raw, raw.length - 4)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> readAll(cutGz));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("ends in row 3"), e.getMessage());
        Path foreign = Files.writeString(tmp.resolve("f.npy"), "hello, world");
        assertTrue(message(foreign).contains("neither an IDX nor an NPY"), message(foreign));
        Path fortran = Files.write(tmp.resolve("fo.npy"), npyBytes("<f4", "1, 1", true, new byte[4]));
        assertTrue(message(fortran).contains("Fortran"), message(fortran));
        Path type = Files.write(tmp.resolve("c.npy"), npyBytes("<c8", "1,", false, new byte[8]));
        assertTrue(message(type).contains("not supported"), message(type));
        Path huge = Files.write(tmp.resolve("h-images-idx3-ubyte"), idxBytes(0x08, new int[] {1, 1 << 15, 1 << 15},
                new byte[0]));
        assertTrue(message(huge).contains("rows of more than"), message(huge));
        Path dims = Files.write(tmp.resolve("d-images-idx3-ubyte"), new byte[] {0, 0, 8, 0});
        assertTrue(message(dims).contains("0 dimensions"), message(dims));
    }

    private static String message(Path f) {
        return assertThrows(IllegalArgumentException.class, () -> ArrayFile.open(f).close()).getMessage();
    }
}
