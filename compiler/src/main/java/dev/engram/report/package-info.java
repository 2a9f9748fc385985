/**
 * What a compilation reports for tools and people: the JSON report ({@code ReportJson}, written with the one
 * configured Jackson writer {@code Json}). Imports {@code compile} (its result), {@code ir}, {@code validate}, {@code lower}; only the facade imports it.
 */
package dev.engram.report;
