package dev.engram.cli;

import dev.engram.model.LoadedModel;
import dev.engram.model.ModelFormat;
import dev.engram.model.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code engram convert IN OUT}: NNet to ONNX and back (format from the extensions). */
@Command(name = "convert", description = "Convert a model between NNet and ONNX (by file extension).")
public final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT")
    Path out;

    @Override
    public Integer call() {
        LoadedModel m = Models.load(in);
        LoadedModel c = Models.convert(m, ModelFormat.of(out));
        CliFiles.refuseInPlace(in, out);
        c.write(out);
        System.out.println("converted " + m.format() + " -> " + c.format() + ": " + out);
        return 0;
    }
}
