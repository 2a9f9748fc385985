package dev.engram.dict;

import dev.engram.source.Span;

import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * A concept to learn, as declared by {@code concept NAME from "FILE" [column "SELECTOR"] [at layer L]}: the data
 * file (resolved), which rows are examples ({@link Selector}; default: the column named like the concept), the layer
 * the declaration names (else the best layer by held-out quality is used), and where it was written.
 */
public record ConceptSpec(String name, Path file, String column, OptionalInt layer, Span span) {

    /** The selector text: the column as written, else the concept's name. */
    public String selectorText() {
        return column == null || column.isBlank() ? name : column;
    }
}
