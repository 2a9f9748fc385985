package dev.engram.model.io;

import dev.engram.model.ModelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
}
