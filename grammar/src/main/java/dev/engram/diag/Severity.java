package dev.engram.diag;

/** How serious a diagnostic is: errors fail a check or a compilation, warnings and notes do not. */
public enum Severity {
    ERROR, WARNING, NOTE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
