package dev.engram.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The text of one source file (rules or VNN-LIB) with its display path, and line lookup for diagnostics. */
public record SourceFile(String path, String text) {
    /** Largest rule file read (rule files are text written by people). */
    public static final long MAX_RULE_BYTES = 64L << 20;

    /**
     * Reads a rule file ({@link #fromBytes lenient UTF-8}), refusing files over {@link #MAX_RULE_BYTES} before
     * reading them.
     */
    public static SourceFile read(Path path) throws IOException {
        return fromBytes(path.toString(), readBytes(path, MAX_RULE_BYTES));
    }

    /** The bytes of a source file, refusing files over {@code maxBytes} before allocating. */
    public static byte[] readBytes(Path path, long maxBytes) throws IOException {
        long size = Files.size(path);
        if (size > maxBytes) {
            throw new IOException("file is " + size + " bytes; the limit is " + maxBytes);
        }
        return Files.readAllBytes(path);
    }

    /**
     * Decodes file contents the way every front-end command reads them: UTF-8, with each malformed or
     * unmappable byte sequence replaced by U+FFFD, so that the lexer reports it at its position instead of the
     * read failing. Never throws.
     */
    public static SourceFile fromBytes(String path, byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            return new SourceFile(path, text);
        } catch (CharacterCodingException e) {
            // cannot happen with REPLACE; fall back to the JDK's own lenient decoding
            return new SourceFile(path, new String(bytes, StandardCharsets.UTF_8));
        }
    }

    /** The 1-based line {@code line} without its line terminator, or "" when out of range. */
    public String line(int line) {
        return line(line, Integer.MAX_VALUE);
    }

    /** At most the first {@code max} characters of line {@code line} (so that megabyte lines are not copied). */
    public String line(int line, int max) {
        int from = lineStart(line);
        if (from < 0) {
            return "";
        }
        int to = lineEnd(from);
        return text.substring(from, (int) Math.min(to, (long) from + Math.max(0, max)));
    }

    /** The length of line {@code line} without its terminator, 0 when out of range. */
    public int lineLength(int line) {
        int from = lineStart(line);
        return from < 0 ? 0 : lineEnd(from) - from;
    }

    private int lineStart(int line) {
        if (line < 1) {
            return -1;
        }
        int from = 0;
        for (int l = 1; l < line; l++) {
            int nl = text.indexOf('\n', from);
            if (nl < 0) {
                return -1;
            }
            from = nl + 1;
        }
        return from;
    }

    private int lineEnd(int from) {
        int to = text.indexOf('\n', from);
        if (to < 0) {
            to = text.length();
        }
        while (to > from && (text.charAt(to - 1) == '\r' || text.charAt(to - 1) == '\n')) {
            to--;
        }
        return to;
    }
}
