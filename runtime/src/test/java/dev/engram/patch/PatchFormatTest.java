package dev.engram.patch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The {@code .epatch} bytes are stable: {@code fixture.epatch} was written by the first (hand-written) JSON writer;
 * reading it and writing it again, or writing the same patch afresh, gives the same bytes.
 */
class PatchFormatTest {

    static byte[] fixture() throws Exception {
        try (InputStream in = PatchFormatTest.class.getResourceAsStream("/patch/fixture.epatch")) {
            return in.readAllBytes();
        }
    }

    @Test
    void aCommittedPatchReadsAndWritesBackByteForByte(@TempDir Path dir) throws Exception {
        byte[] original = fixture();
        Path in = dir.resolve("in.epatch");
        Files.write(in, original);
        Patch p = Patch.read(in);
        assertEquals(4, p.edits().size());
        assertEquals("rule \"one\"", p.edits().get(0).rule());
        assertEquals("widen\\path\u0001", p.edits().get(2).rule());
        assertEquals("Gr\u00fc\u00dfe \u2028 \ud83d\ude00 lone ?!", p.provenance().extra().get("unicode"));
        Path out = dir.resolve("out.epatch");
        p.write(out);
        assertArrayEquals(original, Files.readAllBytes(out));
    }

    @Test
    void theSamePatchWrittenAfreshGivesTheCommittedBytes() throws Exception {
        assertArrayEquals(fixture(), EpatchFixture.patch().toBytes());
    }
}
