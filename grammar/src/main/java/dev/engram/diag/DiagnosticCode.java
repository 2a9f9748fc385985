package dev.engram.diag;

/**
 * Every diagnostic Engram can report. The numbers are forever: never renumber or reuse a released code;
 * add new ones at the end of their range. Ranges: E00x syntax, E01x–E05x rule semantics,
 * E06x compilation, E09x VNN-LIB, W1xx warnings. Each code is documented with an example in {@code docs/language.md}.
 */
public enum DiagnosticCode {
    /** Input that the lexer cannot tokenize. */
    E001("E001", "unrecognised input"),
    /** A syntax error: unexpected or missing token. */
    E002("E002", "syntax error"),
    /** Input nested too deeply (or too complex) to parse safely. */
    E003("E003", "nesting too deep"),
    /** A numeric literal that does not fit: an index above 2^31-1 or a number beyond the double range. */
    E004("E004", "number out of range"),
    /** A name used but never declared. */
    E010("E010", "undefined name"),
    /** A name declared twice, or a statement that may appear once written twice. */
    E011("E011", "duplicate declaration"),
    /** An interval whose lower bound exceeds its upper bound, or a categorical with no values. */
    E012("E012", "empty or inverted interval"),
    /** Two inputs (or outputs) mapped to the same model index. */
    E013("E013", "index collision"),
    /** An index beyond the model's (or the declared) number of inputs or outputs. */
    E014("E014", "index out of range"),
    /** A categorical input used as a number, or a number where a categorical value is needed. */
    E015("E015", "type error"),
    /** A product or quotient of two variables: rules must be linear. */
    E016("E016", "non-linear expression"),
    /** A name of the wrong kind: an output in a premise, an input in a consequent, a concept as a number. */
    E017("E017", "wrong kind of name"),
    /** An input with a physical unit but no normalisation to the model's units. */
    E018("E018", "normalisation missing"),
    /** A normalisation whose range or scale is zero. */
    E019("E019", "degenerate normalisation"),
    /** A decision predicate without a {@code decide} statement. */
    E020("E020", "decision rule missing"),
    /** A bound, margin or strength that must be a constant but depends on a variable, or divides by zero. */
    E021("E021", "constant expected"),
    /** A concept defined in terms of itself. */
    E022("E022", "concept cycle"),
    /** A margin, layer or strength outside its allowed range. */
    E023("E023", "invalid parameter"),
    /** A premise or consequent whose normal form is too large to handle. */
    E024("E024", "condition too complex"),
    /** An imported VNN-LIB file that does not exist or cannot be read. */
    E025("E025", "import not found"),
    /** A concept learned from examples used inside a premise where only input predicates are allowed. */
    E026("E026", "learned concept not allowed here"),
    /** A statement that {@code engram compile} cannot lower yet (it is still checked and documented). */
    E060("E060", "not compilable yet"),
    /**
     * A rule that does not hold on the compiled model: the verifier found a counterexample or gave up (a time limit
     * that ran out is {@link #E063}).
     */
    E061("E061", "rule not proved"),
    /** A rule the chosen lowering cannot handle on this model (architecture, activations, region). */
    E062("E062", "lowering not applicable"),
    /** The compilation's time limit ({@code --timeout}) ran out before every rule was lowered and proved. */
    E063("E063", "time limit reached"),
    /** VNN-LIB syntax error. */
    E090("E090", "VNN-LIB syntax error"),
    /** VNN-LIB constructs outside the supported subset. */
    E091("E091", "unsupported VNN-LIB construct"),
    /** A VNN-LIB name used without declaration, or declared twice. */
    E092("E092", "VNN-LIB declaration error"),
    /** A VNN-LIB property that does not fit the model or the X_i/Y_j convention. */
    E093("E093", "VNN-LIB property does not fit"),
    /** A premise that no input in the declared domain satisfies: the rule can never fire. */
    W101("W101", "premise empty over the domain"),
    /** A premise that reaches outside the declared input domain (the part outside is ignored). */
    W102("W102", "premise outside the domain"),
    /** A declared concept, input or output that no statement uses. */
    W103("W103", "unused declaration");

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
