/**
 * The Maven plugin: {@code engram:compile} and {@code engram:verify}. A thin adapter: each Mojo maps its parameters
 * to one request per rule file, calls the facade {@code dev.engram.Engram} and maps the outcome to log lines,
 * {@code MojoFailureException} (errors in the rules, rules not proved) or {@code MojoExecutionException} (files that
 * cannot be read or used). Uses the facade and its values only ({@code compile}, {@code diag}, {@code source}).
 */
package dev.engram.maven;
