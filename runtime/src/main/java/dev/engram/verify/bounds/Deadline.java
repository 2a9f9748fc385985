package dev.engram.verify.bounds;

/**
 * The time ({@link System#nanoTime}) after which a verification stops. Long computations (bound passes, slope
 * optimisation, lookahead, falsification) call {@link #check} between small units of work; past the deadline it throws
 * {@link Expired}, which the verifier turns into a {@code timeout} verdict (it never escapes
 * {@code Verifier.verify}).
 */
public final class Deadline {
    /** No deadline. */
    public static final Deadline NONE = new Deadline(Long.MAX_VALUE);

    private final long nanos;

    private Deadline(long nanos) {
        this.nanos = nanos;
    }

    /** The deadline at {@code nanoTime} (a {@link System#nanoTime} value). */
    public static Deadline at(long nanoTime) {
        return nanoTime == Long.MAX_VALUE ? NONE : new Deadline(nanoTime);
    }

    /** The deadline {@code seconds} from now (none for an infinite or huge budget). */
    public static Deadline after(double seconds) {
        long now = System.nanoTime();
        double ns = seconds * 1e9;
        return ns >= Long.MAX_VALUE - (double) Math.max(now, 0) ? NONE : new Deadline(now + (long) Math.max(0, ns));
    }

    /** The deadline as a {@link System#nanoTime} value ({@link Long#MAX_VALUE}: none). */
    public long nanos() {
        return nanos;
    }

    /** The seconds left before the deadline: 0 once it passed, infinite for {@link #NONE}. */
    public double secondsLeft() {
        return nanos == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : Math.max(0, (nanos - System.nanoTime()) / 1e9);
    }

    public boolean passed() {
        return nanos != Long.MAX_VALUE && System.nanoTime() - nanos > 0;
    }

    /** Throws {@link Expired} when the deadline has passed. */
    public void check() {
        if (passed()) {
            throw new Expired();
        }
    }

    /** The deadline passed: control flow inside the verifier, turned into a {@code timeout} verdict. */
    public static final class Expired extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Expired() {
            super("the deadline passed", null, false, false);
        }
    }
}
