package dev.engram;

import dev.engram.model.TestData;

import java.nio.file.Path;

/**
 * Where the benchmark material lives for the compiler's tests: the runtime's {@link TestData#shared()} (the
 * {@code engram.shared.data} system property, else the nearest {@code shared/data} folder above the working
 * directory). Tests skip with a message when what they need is not there.
 */
public final class SharedData {
    private SharedData() {
    }

    public static Path path() {
        return TestData.shared();
    }
}
