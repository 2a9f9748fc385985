package dev.engram.model.io;

import dev.engram.model.ModelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Chunked reads and writes move every byte, at sizes around the 1 MB chunk boundary, and caps still hold. */
class AtomicFilesTest {

    @Test
    void writeThenReadRoundTripsAcrossChunkBoundaries(@TempDir Path dir) throws Exception {
        Random rnd = new Random(3);
        int mb = 1 << 20;
        for (int size : new int[] {0, 1, 4095, mb - 1, mb, mb + 1, 3 * mb + 7}) {
            byte[] b = new byte[size];
            rnd.nextBytes(b);
            Path p = dir.resolve("f" + size);
            AtomicFiles.write(p, b);
            assertArrayEquals(b, Files.readAllBytes(p), "write, size " + size);
            assertArrayEquals(b, AtomicFiles.read(p, size), "read, size " + size);
        }
    }

    @Test
    void streamWritesSingleBytesAndSlices(@TempDir Path dir) throws Exception {
        byte[] b = new byte[(1 << 20) + 300];
        new Random(4).nextBytes(b);
        Path p = dir.resolve("s");
        AtomicFiles.write(p, ch -> {
            try (var os = AtomicFiles.stream(ch)) {
                os.write(b[0]);
                os.write(b, 1, 1 << 20);
                for (int i = (1 << 20) + 1; i < b.length; i++) {
                    os.write(b[i]);
                }
            }
        });
        assertArrayEquals(b, Files.readAllBytes(p));
    }

    @Test
    void readRefusesFilesOverTheCap(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("big");
        Files.write(p, new byte[100]);
        assertThrows(ModelException.class, () -> AtomicFiles.read(p, 99));
    }

    static void assumePosix() {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
                "permissions are POSIX permissions; this file system has none");
    }

    @Test
    void aNewFileGetsWhatTheUmaskAllowsLikeAnyOtherFile(@TempDir Path dir) throws Exception {
        assumePosix();
        Path reference = dir.resolve("reference");
        try (OutputStream os = Files.newOutputStream(reference)) {
            os.write(1);
        }
        Path written = dir.resolve("written.onnx");
        AtomicFiles.write(written, new byte[] {1});
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(reference);
        System.out.println("[atomic] umask gives " + PosixFilePermissions.toString(expected));
        assertEquals(expected, Files.getPosixFilePermissions(written),
                "an atomically written file must get the same permissions as Files.newOutputStream's");
    }

    @Test
    void aReplacedFileKeepsItsPermissions(@TempDir Path dir) throws Exception {
        assumePosix();
        Path p = dir.resolve("model.onnx");
        Files.write(p, new byte[] {1, 2, 3});
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString("rw-r-----");
        Files.setPosixFilePermissions(p, mode);
        AtomicFiles.write(p, new byte[] {4});
        assertArrayEquals(new byte[] {4}, Files.readAllBytes(p));
        assertEquals(mode, Files.getPosixFilePermissions(p));
    }

    @Test
    void aFailedWriteLeavesTheTargetAndNoTemporaryFile(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("model.onnx");
        Files.write(p, new byte[] {1, 2, 3});
        assertThrows(ModelException.class, () -> AtomicFiles.write(p, ch -> {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {9, 9}));
            throw new IOException("disk full");
        }));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(p));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(p), s.toList());
        }
    }
}
