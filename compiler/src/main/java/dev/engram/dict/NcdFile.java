package dev.engram.dict;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.engram.model.io.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The {@code .ncd} container of a {@link Dictionary}: a fixed 64-byte header, JSON metadata, then the arrays.
 * <pre>
 *   0  8 bytes  magic 89 4E 43 44 0D 0A 1A 0A  ("\x89NCD\r\n\x1a\n": catches text-mode mangling and other formats)
 *   8  u32 LE   format version ({@value #VERSION})
 *  12  u32 LE   flags (0)
 *  16  u64 LE   J, the length of the JSON metadata in bytes
 *  24  u64 LE   D, the length of the array section in bytes
 *  32  32 bytes SHA-256 of the JSON bytes followed by the array bytes
 *  64  J bytes  JSON metadata (UTF-8), then zero padding to a multiple of 8
 *  ..  D bytes  arrays: little-endian float64, each at the 8-aligned offset the metadata's "arrays" table gives
 * </pre>
 * The file is exactly {@code 64 + pad8(J) + D} bytes. Reading checks, before allocating anything large: the length,
 * the magic, the version, the lengths against the caps and the file size, the checksum, every array's extent, and the
 * dictionary's consistency (widths, shapes); a dictionary for another model is refused by its SHA-256. Writes are
 * atomic. The JSON schema is {@link NcdMetadata}.
 */
public final class NcdFile {
    /** The format version this code writes and reads. */
    public static final int VERSION = 1;

    static final byte[] MAGIC = {(byte) 0x89, 'N', 'C', 'D', '\r', '\n', 0x1a, '\n'};
    static final int HEADER = 64;
    /** Largest JSON metadata accepted (64 MiB). */
    static final long MAX_JSON = 64L << 20;
    /** Largest file accepted: 1 GiB, or the system property {@code engram.maxDictionaryBytes}. */
    static final long MAX_FILE = Math.min(Integer.MAX_VALUE - 64L, Long.getLong("engram.maxDictionaryBytes", 1L << 30));

    static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private NcdFile() {
    }

    /** A dictionary file that cannot be used, and why (truncated, foreign, corrupt, for another model). */
    public static final class Rejected extends RuntimeException {
        public Rejected(String message) {
            super(message);
        }
    }

    /** Writes {@code d} to {@code file} atomically. */
    public static void write(Dictionary d, Path file) {
        NcdMetadata.Encoded enc = NcdMetadata.encode(d);
        byte[] json;
        try {
            json = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(enc.metadata());
        } catch (IOException e) {
            throw new IllegalStateException("cannot write dictionary metadata", e);
        }
        int pad = (8 - json.length % 8) % 8;
        ByteBuffer data = ByteBuffer.allocate(enc.doubles().length * 8).order(ByteOrder.LITTLE_ENDIAN);
        data.asDoubleBuffer().put(enc.doubles());
        byte[] arrays = data.array();
        ByteBuffer out = ByteBuffer.allocate(HEADER + json.length + pad + arrays.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putInt(VERSION).putInt(0).putLong(json.length).putLong(arrays.length);
        out.put(checksum(json, 0, json.length, arrays, 0, arrays.length));
        out.put(json).put(new byte[pad]).put(arrays);
        AtomicFiles.write(file, out.array());
    }

    /** Reads a dictionary, refusing one learned for a model other than {@code modelSha256} (null: any model). */
    public static Dictionary read(Path file, String modelSha256) {
        Dictionary d = read(file);
        if (modelSha256 != null && !d.modelSha256().equals(modelSha256)) {
            throw new Rejected(file + ": this dictionary was learned for another model (SHA-256 "
                    + Learner.abbrev(d.modelSha256()) + "), not for this one (" + Learner.abbrev(modelSha256)
                    + "); learn it again: engram learn --model MODEL --data DATA --out " + file.getFileName());
        }
        return d;
    }

    /** Reads and checks a dictionary file. */
    public static Dictionary read(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE) {
                throw new Rejected(file + ": " + size + " bytes, more than a dictionary may have");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Rejected(file + ": no such file");
        } catch (IOException e) {
            throw new Rejected(file + ": cannot read: " + e.getMessage());
        }
        if (bytes.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new Rejected(file + ": not an Engram neural-code dictionary (no .ncd magic number); write one with "
                    + "engram learn");
        }
        if (bytes.length < HEADER) {
            throw new Rejected(file + ": truncated: " + bytes.length + " bytes, shorter than the 64-byte header");
        }
        ByteBuffer h = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int version = h.getInt(8);
        if (version != VERSION) {
            throw new Rejected(file + ": dictionary format version " + version + "; this Engram reads version "
                    + VERSION + (version > VERSION ? " (written by a newer Engram)" : ""));
        }
        long j = h.getLong(16);
        long dl = h.getLong(24);
        if (j < 2 || j > MAX_JSON || dl < 0 || dl > MAX_FILE) {
            throw new Rejected(file + ": corrupt header (metadata " + j + " bytes, arrays " + dl + " bytes)");
        }
        long pad = (8 - j % 8) % 8;
        long expected = HEADER + j + pad + dl;
        if (expected != bytes.length) {
            throw new Rejected(file + (expected > bytes.length ? ": truncated: the header promises " + expected
                    + " bytes, the file has " + bytes.length : ": " + (bytes.length - expected)
                    + " bytes after the end of the dictionary"));
        }
        int dataAt = (int) (HEADER + j + pad);
        byte[] sum = checksum(bytes, HEADER, (int) j, bytes, dataAt, (int) dl);
        if (!Arrays.equals(sum, Arrays.copyOfRange(bytes, 32, 64))) {
            throw new Rejected(file + ": corrupt: the checksum does not match the contents");
        }
        NcdMetadata meta;
        try {
            meta = MAPPER.readValue(bytes, HEADER, (int) j, NcdMetadata.class);
        } catch (IOException e) {
            throw new Rejected(file + ": unreadable metadata: " + e.getMessage().lines().findFirst().orElse(""));
        }
        double[] doubles = new double[(int) (dl / 8)];
        ByteBuffer.wrap(bytes, dataAt, (int) dl).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(doubles);
        try {
            return NcdMetadata.decode(meta, doubles);
        } catch (IllegalArgumentException | NullPointerException | IndexOutOfBoundsException | ArithmeticException e) {
            throw new Rejected(file + ": inconsistent dictionary: " + e.getMessage());
        }
    }

    private static byte[] checksum(byte[] a, int aFrom, int aLen, byte[] b, int bFrom, int bLen) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(a, aFrom, aLen);
            md.update(b, bFrom, bLen);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The metadata text of a dictionary file (for {@code engram dict show --json}). */
    public static String metadataJson(Dictionary d) {
        try {
            return new String(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(NcdMetadata.encode(d)
                    .metadata()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
