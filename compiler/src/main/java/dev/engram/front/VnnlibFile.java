package dev.engram.front;

import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.source.SourceFile;
import dev.engram.source.Span;
import dev.engram.verify.Property;
import dev.engram.diag.Diagnosed;
import dev.engram.vnnlib.VnnlibSpec;
import dev.engram.vnnlib.VnnlibParser;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A VNN-LIB file read for a model: parsed, turned into properties and checked against the model's input and
 * output sizes. All problems come back as diagnostics ({@code unreadable} when the file could not be read).
 */
public record VnnlibFile(SourceFile source, List<Property> properties, List<Diagnostic> diagnostics,
                         String unreadable) {
    /** Largest VNN-LIB file read (some competition benchmarks have files of tens of MB). */
    public static final long MAX_BYTES = 256L << 20;

    public VnnlibFile {
        properties = List.copyOf(properties);
        diagnostics = List.copyOf(diagnostics);
    }

    public VnnlibFile(SourceFile source, List<Property> properties, List<Diagnostic> diagnostics) {
        this(source, properties, diagnostics, null);
    }

    /** True when the file was read and every property fits the model. */
    public boolean ok() {
        return unreadable == null && diagnostics.stream().noneMatch(Diagnostic::isError);
    }

    /**
     * Reads a file (at most {@link #MAX_BYTES}); strict UTF-8, else ISO-8859-1. An unreadable file comes back as
     * {@link #unreadable} with the reason, never as an exception.
     */
    public static VnnlibFile read(Path path, int inputs, int outputs) {
        String text;
        try {
            byte[] bytes = SourceFile.readBytes(path, MAX_BYTES);
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                text = new String(bytes, StandardCharsets.ISO_8859_1);
            }
        } catch (IOException | RuntimeException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage();
            return new VnnlibFile(new SourceFile(path.toString(), ""), List.of(), List.of(), path + ": " + why);
        }
        return of(new SourceFile(path.toString(), text), inputs, outputs);
    }

    /** Parses and converts {@code source}; {@code inputs}/{@code outputs} < 0 skip the size check. */
    public static VnnlibFile of(SourceFile source, int inputs, int outputs) {
        Diagnosed<VnnlibSpec> parsed = VnnlibParser.parse(source);
        List<Diagnostic> diags = new ArrayList<>(parsed.diagnostics());
        if (parsed.value().isEmpty()) {
            return new VnnlibFile(source, List.of(), diags);
        }
        String name = Path.of(source.path()).getFileName().toString().replaceFirst("\\.vnnlib$", "");
        Diagnosed<List<Property>> r = VnnlibProperties.convert(parsed.value().get(), name);
        diags.addAll(r.diagnostics());
        if (!r.ok()) {
            return new VnnlibFile(source, List.of(), diags);
        }
        for (Property p : r.value().orElse(List.of())) {
            int nx = p.region().boxes().get(0).dimension();
            int ny = p.unsafe().isEmpty() || p.unsafe().get(0).isEmpty() ? -1
                    : p.unsafe().get(0).get(0).coefficients().length;
            Span at = Span.of(source.path(), 1, 1, 1, 1);
            if (inputs >= 0 && nx != inputs) {
                diags.add(Diagnostic.error(DiagnosticCode.E093, at, "the property has " + nx
                        + " inputs but the model has " + inputs, "check that the property belongs to this model"));
                return new VnnlibFile(source, List.of(), diags);
            }
            if (outputs >= 0 && ny > outputs) {
                diags.add(Diagnostic.error(DiagnosticCode.E093, at, "the property uses " + ny
                        + " outputs but the model has " + outputs, "check that the property belongs to this model"));
                return new VnnlibFile(source, List.of(), diags);
            }
        }
        // pad output constraints declared over fewer outputs than the model has
        List<Property> fitted = new ArrayList<>();
        for (Property p : r.value().orElse(List.of())) {
            fitted.add(outputs < 0 ? p : padOutputs(p, outputs));
        }
        return new VnnlibFile(source, fitted, diags);
    }

    private static Property padOutputs(Property p, int outputs) {
        List<List<dev.engram.verify.LinearConstraint>> unsafe = new ArrayList<>();
        for (List<dev.engram.verify.LinearConstraint> conj : p.unsafe()) {
            List<dev.engram.verify.LinearConstraint> c2 = new ArrayList<>();
            for (dev.engram.verify.LinearConstraint c : conj) {
                c2.add(new dev.engram.verify.LinearConstraint(java.util.Arrays.copyOf(c.coefficients(), outputs),
                        c.bound()));
            }
            unsafe.add(c2);
        }
        return new Property(p.name(), p.region(), unsafe);
    }
}
