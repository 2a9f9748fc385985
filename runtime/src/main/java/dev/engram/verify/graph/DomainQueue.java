package dev.engram.verify.graph;

import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * The open subdomains of a split search, the lowest margin first (the subdomain furthest from being refuted, whose
 * bound is the search's bound), with the bytes they hold counted against a budget: a search whose queue outgrows it
 * ends open (a sound verdict) instead of failing for memory. Not thread-safe: a search with several workers
 * synchronises around it.
 *
 * @param <D> the search's subdomain
 */
final class DomainQueue<D extends DomainQueue.Entry> {
    /** An open subdomain: the margin it inherited and the bytes it holds (its own, or its share of its parent's). */
    interface Entry {
        double margin();

        long bytes();
    }

    private final PriorityQueue<D> queue = new PriorityQueue<>(Comparator.comparingDouble(Entry::margin));
    private final long budget;
    private long held;

    /** A queue whose subdomains may hold {@code budget} bytes. */
    DomainQueue(long budget) {
        this.budget = budget;
    }

    /** A quarter of the JVM's maximum heap: the budget of one search's queue. */
    static long heapShare() {
        return Runtime.getRuntime().maxMemory() / 4;
    }

    void add(D d) {
        queue.add(d);
        held += d.bytes();
    }

    /** The subdomain with the lowest margin, or null when empty. */
    D poll() {
        D d = queue.poll();
        if (d != null) {
            held -= d.bytes();
        }
        return d;
    }

    /** The lowest margin queued (the search's bound so far), or +∞ when empty. */
    double lowest() {
        D d = queue.peek();
        return d == null ? Double.POSITIVE_INFINITY : d.margin();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int size() {
        return queue.size();
    }

    /** The bytes the queued subdomains hold. */
    long bytes() {
        return held;
    }

    /** Whether the queued subdomains hold more than the budget. */
    boolean full() {
        return held > budget;
    }
}
