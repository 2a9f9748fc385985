/**
 * The rule language's syntax tree: sealed records, every node with its span. Produced by {@code parse}, consumed
 * by the checker. Imports only {@code source}.
 */
package dev.engram.ast;
