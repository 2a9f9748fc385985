/**
 * The front half, {@code source → checked program → IR}: reads a rule file once, checks it once, loads the model
 * once, maps real units to model units ({@code ModelUnits}) and builds the IR ({@code ProgramToIr}); VNN-LIB files
 * become properties here too, and statements over learned concepts are answered through the neural-code dictionary
 * ({@code ConceptsToIr}). Imports {@code check}, {@code ir}, {@code dict}, the grammar and the runtime.
 */
package dev.engram.front;
