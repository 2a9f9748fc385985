/**
 * Stage {@code AST → checked program}: name binding, declarations, types, linearity, and normal forms in the rule
 * file's real units ({@code CheckedProgram}). Imports only the grammar module; nothing of the runtime.
 */
package dev.engram.check;
