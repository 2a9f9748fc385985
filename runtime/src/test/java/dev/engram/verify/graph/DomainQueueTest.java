package dev.engram.verify.graph;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The split searches' queue: lowest margin first, bytes counted in and out, full past its budget. */
class DomainQueueTest {
    private record D(double margin, long bytes) implements DomainQueue.Entry {
    }

    @Test
    void servesTheLowestMarginFirstAndCountsBytes() {
        DomainQueue<D> q = new DomainQueue<>(100);
        q.add(new D(-0.1, 30));
        q.add(new D(-2, 40));
        q.add(new D(-0.5, 20));
        assertEquals(90, q.bytes());
        assertFalse(q.full());
        assertEquals(-2, q.poll().margin());
        assertEquals(50, q.bytes());
        assertEquals(-0.5, q.poll().margin());
        assertEquals(-0.1, q.poll().margin());
        assertEquals(0, q.bytes());
        assertTrue(q.isEmpty());
        assertNull(q.poll());
    }

    @Test
    void isFullOnlyPastItsBudget() {
        DomainQueue<D> q = new DomainQueue<>(100);
        q.add(new D(0, 100));
        assertFalse(q.full());
        q.add(new D(0, 1));
        assertTrue(q.full());
        q.poll();
        assertFalse(q.full());
        assertTrue(DomainQueue.heapShare() > 0);
    }
}
