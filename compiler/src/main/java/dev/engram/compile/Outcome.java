package dev.engram.compile;

/**
 * How a job ended, for every front end alike (the CLI maps it to its exit code, the Maven plugin to success or
 * failure). Never an exception: each outcome comes with its diagnostics and, where no diagnostic fits, a message.
 */
public enum Outcome {
    /** Everything asked for was done and proved. */
    OK(0),
    /** Errors in the rules or statements (diagnostics with positions). */
    REJECTED(1),
    /** No verdict within the budget, or statements that could not be checked. */
    UNDECIDED(1),
    /** A file that cannot be read or used, a missing model, a bad request. */
    UNUSABLE(2),
    /**
     * Something does not hold, or could not be lowered or proved (E061, E062), or the time limit ran out (E063):
     * nothing was written.
     */
    NOT_PROVED(3);

    private final int exitCode;

    Outcome(int exitCode) {
        this.exitCode = exitCode;
    }

    /** The command line's exit code for this outcome. */
    public int exitCode() {
        return exitCode;
    }
}
