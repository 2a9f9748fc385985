/**
 * The front half, {@code source → checked program → IR}: reads a rule file once, checks it once, loads the model
 * once, maps real units to model units ({@code ModelUnits}) and builds the IR ({@code ProgramToIr}); VNN-LIB files
 * become properties here too. Imports {@code check}, {@code ir}, the grammar and the runtime's model loading.
 */
package dev.engram.front;
