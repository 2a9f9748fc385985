package dev.engram.ast;

import dev.engram.source.Span;

/** Anything in the rule AST: every node knows the source text it came from. */
public interface Node {
    Span span();
}
