package dev.engram.ast;

import dev.engram.source.Span;

/** An identifier as written in the source (a declaration or a reference), with its span. */
public record Name(String text, Span span) {
}
