/**
 * The compile pipeline: {@code Compiler} calls the stages in order (read, lower, write, read back, validate,
 * measure, diff, publish), with its request, result and outcome. Imports every stage package but {@code report};
 * only the facade and {@code report} import it.
 */
package dev.engram.compile;
