package dev.engram.dict;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * An {@link ExampleStream} read ahead by a background thread (two chunks at most), so that decoding the file (gzip,
 * element conversion) overlaps with running the model and merging statistics. Memory stays bounded by the two chunks
 * in the queue. A failure of the reader is rethrown by {@link #next}.
 */
final class Prefetch implements ExampleStream {
    private static final Object END = new Object();

    private final ExampleStream in;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(2);
    private final Thread reader;
    private boolean done;

    Prefetch(ExampleStream in, int chunk) {
        this.in = in;
        this.reader = new Thread(() -> {
            try {
                for (Batch b = in.next(chunk); b != null; b = in.next(chunk)) {
                    queue.put(b);
                }
                queue.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                try {
                    queue.put(e);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "engram-dict-reader");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public String description() {
        return in.description();
    }

    @Override
    public List<String> columns() {
        return in.columns();
    }

    @Override
    public List<String> levels(int column) {
        return in.levels(column);
    }

    @Override
    public int taskColumn() {
        return in.taskColumn();
    }

    @Override
    public int task(double value) {
        return in.task(value);
    }

    /** The next chunk read ahead ({@code max} is the reader's chunk size, fixed at construction). */
    @Override
    public Batch next(int max) {
        if (done) {
            return null;
        }
        Object o;
        try {
            o = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading examples", e);
        }
        if (o == END) {
            done = true;
            return null;
        }
        if (o instanceof RuntimeException e) {
            done = true;
            throw e;
        }
        return (Batch) o;
    }

    @Override
    public void close() {
        reader.interrupt();
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        in.close();
    }
}
