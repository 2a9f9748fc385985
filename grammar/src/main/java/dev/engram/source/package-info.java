/**
 * Source text: {@code SourceFile} (a file's text and path, read with a size cap), {@code Position}, {@code Span}.
 * The bottom of the grammar module: imports nothing of Engram.
 */
package dev.engram.source;
