/**
 * What a compilation reports for tools and people: the JSON report ({@code ReportJson}, written with the one
 * configured Jackson writer {@code Json}) and the self-contained HTML report ({@code HtmlReport}: inline CSS and SVG,
 * 2-D decision slices before and after the patch, {@code Slice}, {@code SliceSvg}). Imports {@code compile} (its
 * result), {@code ir}, {@code validate}, {@code lower}, and the runtime to evaluate models for the slices; only the
 * facade imports it.
 */
package dev.engram.report;
