package dev.engram.maven;

import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.model.onnx.OnnxModel;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * The model the consumer builds under {@code src/it} compile against: a seeded random 4-8-8-2 ReLU network
 * (inputs: age, income, and sex as a one-hot pair; outputs: approve, reject), a few KB of ONNX. It is committed as
 * {@code src/it/compile-ok/src/main/models/loan.onnx}; {@link ItModelsTest} checks the committed file still holds
 * this network. Regenerate with:
 * <pre>
 * mvn -B -o -q -pl maven-plugin -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test -Dinvoker.skip=true
 * java -cp "maven-plugin/target/test-classes:$(cat maven-plugin/target/cp.txt)" dev.engram.maven.ItModels \
 *     maven-plugin/src/it/compile-ok/src/main/models/loan.onnx
 * </pre>
 */
public final class ItModels {
    private ItModels() {
    }

    /** The network: same seed, same weights. */
    static DenseNetwork loan() {
        return DenseNetworks.random(new Random(11), "fc", 0.2, 4, 8, 8, 2);
    }

    static void write(Path out) {
        OnnxModel.fromDense(loan(), "input", "output", true, Map.of("engram.fixture", "maven-plugin ITs"))
                .write(out);
    }

    public static void main(String[] args) {
        write(Path.of(args[0]));
        System.out.println("wrote " + args[0]);
    }
}
