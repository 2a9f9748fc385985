package dev.engram.diag;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The grammar module's one configured JSON writer (Jackson), for diagnostics and anything built on them. Compact
 * output; escapes {@code "}, {@code \}, {@code \n}, {@code \r}, {@code \t} the short way and the other control
 * characters, DEL and every surrogate code unit as <code>&#92;u00xx</code> (lower-case hex), so the text is plain
 * ASCII-safe for terminals and never holds a broken surrogate pair.
 *
 * <pre>{"file":"a.engram","line":3,"column":5,"endLine":3,"endColumn":9,"severity":"error","code":"E010",
 *  "title":"undefined name","message":"…","hint":"…"}</pre>
 */
public final class DiagnosticJson {

    private static final ObjectMapper MAPPER = mapper();

    private DiagnosticJson() {
    }

    private static ObjectMapper mapper() {
        JsonFactoryBuilder b = new JsonFactoryBuilder();
        b.characterEscapes(new Escapes());
        return new ObjectMapper(b.build());
    }

    /** A new, empty JSON object to fill and {@link #write}. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Compact JSON text of a tree. */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    /** One diagnostic as a JSON object. */
    public static ObjectNode of(Diagnostic d) {
        return object().put("file", d.span().file())
                .put("line", d.span().start().line())
                .put("column", d.span().start().column())
                .put("endLine", d.span().end().line())
                .put("endColumn", d.span().end().column())
                .put("severity", d.severity().label())
                .put("code", d.code().id())
                .put("title", d.code().title())
                .put("message", d.message())
                .put("hint", d.hint() == null ? "" : d.hint());
    }

    /** A JSON string literal. */
    public static String string(String s) {
        return write(MAPPER.getNodeFactory().textNode(s));
    }

    private static final class Escapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] codes = standardAsciiEscapesForJSON();

        Escapes() {
            for (int c = 0; c < 0x20; c++) {
                if (c != '\n' && c != '\r' && c != '\t') { // those keep their short escapes
                    codes[c] = ESCAPE_CUSTOM;
                }
            }
            codes[0x7f] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return codes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch < 0x20 || ch == 0x7f || (ch <= 0xffff && Character.isSurrogate((char) ch))
                    ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }
}
