package dev.engram.model;

/**
 * A model file or model operation was rejected: unreadable, corrupt, hostile, unsupported or inconsistent.
 * The message always names the file (when known) and the reason; callers print it without a stack trace.
 */
public class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
