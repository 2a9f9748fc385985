package dev.engram.bench;

import dev.engram.model.LoadedModel;
import dev.engram.model.Models;

import java.nio.file.Path;

/** Scratch. */
public final class GraphPointRepairBench {
    public static void main(String[] args) throws Exception {
        LoadedModel m = Models.load(Path.of(args[0]));
        m.dag().listing().forEach(System.out::println);
        m.parameters().forEach((k, v) -> System.out.println(k + " " + java.util.Arrays.toString(v.dims())
                + (v.size() < 4 ? java.util.Arrays.toString(v.data()) : "")));
    }
}
