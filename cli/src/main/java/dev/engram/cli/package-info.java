/**
 * The {@code engram} command line: one picocli command per job, each mapping its options to one request of the
 * facade ({@code dev.engram.Engram}) and printing the result. No library work here.
 */
package dev.engram.cli;
