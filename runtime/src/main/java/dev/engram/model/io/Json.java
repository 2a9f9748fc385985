package dev.engram.model.io;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The runtime's one configured JSON reader and writer (Jackson), for patch headers. Writes compact JSON escaping
 * only {@code "}, {@code \}, {@code \n}, {@code \r}, {@code \t} and the other control characters (as
 * <code>&#92;u00xx</code>, lower-case hex), which is the {@code .epatch} format since its first version. Reads strictly:
 * duplicate keys, trailing content and nesting deeper than {@value #MAX_DEPTH} are errors.
 */
public final class Json {

    /** Deepest nesting of objects and arrays read. */
    public static final int MAX_DEPTH = 64;

    private static final ObjectMapper MAPPER = mapper();

    private Json() {
    }

    private static ObjectMapper mapper() {
        JsonFactoryBuilder b = new JsonFactoryBuilder();
        b.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
        b.streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
        b.characterEscapes(new ControlEscapes());
        return new ObjectMapper(b.build()).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_LONG_FOR_INTS);
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** An array of integers. */
    public static ArrayNode array(long... values) {
        ArrayNode a = array();
        for (long v : values) {
            a.add(v);
        }
        return a;
    }

    /** Compact JSON text of a tree. */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    /** Parses JSON text; throws {@link IllegalArgumentException} with the parser's reason when it is not valid. */
    public static JsonNode parse(String text) {
        try {
            JsonNode n = MAPPER.readTree(text);
            if (n == null || n.isMissingNode()) {
                throw new IllegalArgumentException("bad JSON: empty");
            }
            return n;
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            // Jackson names its own settings in limit messages: "(64, from `StreamReadConstraints...`)"
            String why = e.getOriginalMessage().replaceAll(", from `[^`]*`", "");
            throw new IllegalArgumentException("bad JSON" + at + ": " + why);
        }
    }

    /** Control characters other than {@code \n \r \t} as <code>&#92;u00xx</code>; quote and backslash the standard way. */
    private static final class ControlEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] codes = standardAsciiEscapesForJSON();

        ControlEscapes() {
            for (int c = 0; c < 0x20; c++) {
                if (c != '\n' && c != '\r' && c != '\t') { // those keep their short escapes
                    codes[c] = ESCAPE_CUSTOM;
                }
            }
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return codes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch < 0x20 ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }
}
