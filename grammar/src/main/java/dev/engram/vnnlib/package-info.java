/**
 * Stage {@code VNN-LIB text → VNN-LIB AST}: the VNN-LIB parser ({@code VnnlibParser}, {@code VnnlibSpec}). Imports
 * {@code source}, {@code diag}; turning a spec into properties is the compiler front end's job.
 */
package dev.engram.vnnlib;
