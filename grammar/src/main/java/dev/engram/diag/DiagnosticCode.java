package dev.engram.diag;

/**
 * Every diagnostic Engram can report. The numbers are forever: never renumber or reuse a released code;
 * add new ones at the end of their range. Ranges: E00x syntax, E01x–E05x rule semantics,
 * E09x VNN-LIB, W1xx warnings. Each code is documented with an example in {@code docs/language.md}.
 */
public enum DiagnosticCode {
    /** Input that the lexer cannot tokenize. */
    E001("E001", "unrecognised input"),
    /** A syntax error: unexpected or missing token. */
    E002("E002", "syntax error"),
    /** VNN-LIB syntax error. */
    E090("E090", "VNN-LIB syntax error"),
    /** VNN-LIB constructs outside the supported subset. */
    E091("E091", "unsupported VNN-LIB construct"),
    /** A VNN-LIB name used without declaration, or declared twice. */
    E092("E092", "VNN-LIB declaration error"),
    /** A VNN-LIB property that does not fit the model or the X_i/Y_j convention. */
    E093("E093", "VNN-LIB property does not fit");

    private final String id;
    private final String title;

    DiagnosticCode(String id, String title) {
        this.id = id;
        this.title = title;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }
}
