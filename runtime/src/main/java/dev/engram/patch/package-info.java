/**
 * Stage: patch. Reversible tensor edits ({@code .epatch}): diff, apply, revert, compose, read and write. May import
 * {@code dev.engram.model}, {@code dev.engram.model.io} and Jackson.
 */
package dev.engram.patch;
