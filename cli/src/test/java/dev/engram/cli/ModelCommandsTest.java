package dev.engram.cli;

import dev.engram.model.FloatTensor;
import dev.engram.model.onnx.OnnxModel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The model commands end to end: inspect, run, convert, patch diff/show/compose, apply, revert, bad input. */
class ModelCommandsTest {

    static Path shared() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("shared/data/acasxu"))) {
                return d.resolve("shared/data");
            }
        }
        return Path.of(System.getProperty("engram.shared.data", "../shared/data"));
    }

    record Run(int code, String out, String err) {
    }

    /** One input through ONNX Runtime (the model's input shape, batch 1), the first output flattened. */
    static float[] ort(Path model, float[] x) throws Exception {
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession s = env.createSession(model.toString(), new ai.onnxruntime.OrtSession.SessionOptions())) {
            String in = s.getInputNames().iterator().next();
            long[] shape = ((ai.onnxruntime.TensorInfo) s.getInputInfo().get(in).getInfo()).getShape();
            for (int k = 0; k < shape.length; k++) {
                shape[k] = shape[k] < 0 ? 1 : shape[k];
            }
            try (ai.onnxruntime.OnnxTensor t = ai.onnxruntime.OnnxTensor.createTensor(env,
                    java.nio.FloatBuffer.wrap(x), shape);
                 ai.onnxruntime.OrtSession.Result res = s.run(java.util.Map.of(in, t))) {
                java.nio.FloatBuffer fb = ((ai.onnxruntime.OnnxTensor) res.get(0)).getFloatBuffer();
                float[] y = new float[fb.remaining()];
                fb.get(y);
                return y;
            }
        }
    }

    static Run engram(String... args) {
        PrintStream o = System.out;
        PrintStream e = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            var cl = Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err, true));
            int code = cl.execute(args);
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    @Test
    void patchLifecycleOnAcasXu() throws Exception {
        Path src = shared().resolve("acasxu/onnx/ACASXU_run2a_1_1_batch_2000.onnx");
        assumeTrue(Files.isRegularFile(src), "ACAS Xu data not found");
        Path tmp = Files.createTempDirectory("cli");
        OnnxModel m = OnnxModel.read(src);
        FloatTensor w = m.initializer("Operation_3_MatMul_W");
        float[] d = w.data().clone();
        d[7] += 0.5f;
        Path edited = tmp.resolve("edited.onnx");
        m.withInitializer("Operation_3_MatMul_W", d, w.dims()).write(edited);
        Path p1 = tmp.resolve("p1.epatch");
        assertEquals(0, engram("patch", "diff", src.toString(), edited.toString(), "--out", p1.toString()).code());
        Run show = engram("patch", "show", p1.toString());
        assertTrue(show.out().contains("Operation_3_MatMul_W") && show.out().contains(m.sha256()), show.out());
        Path applied = tmp.resolve("applied.onnx");
        assertEquals(0, engram("apply", "--model", src.toString(), "--patch", p1.toString(), "--out",
                applied.toString()).code());
        assertArrayEquals(Files.readAllBytes(edited), Files.readAllBytes(applied));
        Path reverted = tmp.resolve("reverted.onnx");
        Run rv = engram("revert", "--model", applied.toString(), "--patch", p1.toString(), "--out", reverted.toString());
        assertEquals(0, rv.code(), rv.err());
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(reverted), "bit-identical revert");
        // applying to the wrong model is refused
        Run wrong = engram("apply", "--model", applied.toString(), "--patch", p1.toString(), "--out",
                tmp.resolve("x.onnx").toString());
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("SHA-256"), wrong.err());
        // compose with a second patch
        Path p2 = tmp.resolve("p2.epatch");
        Path edited2 = tmp.resolve("edited2.onnx");
        d[8] -= 1f;
        m.withInitializer("Operation_3_MatMul_W", d, w.dims()).write(edited2);
        assertEquals(0, engram("patch", "diff", edited.toString(), edited2.toString(), "--out", p2.toString()).code());
        Path pc = tmp.resolve("pc.epatch");
        assertEquals(0, engram("patch", "compose", p1.toString(), p2.toString(), "--out", pc.toString()).code());
        Path both = tmp.resolve("both.onnx");
        assertEquals(0, engram("apply", "--model", src.toString(), "--patch", pc.toString(), "--out",
                both.toString()).code());
        assertArrayEquals(Files.readAllBytes(edited2), Files.readAllBytes(both));
    }

    @Test
    void inspectRunConvertAndErrors() throws Exception {
        Path nnet = shared().resolve("acasxu/nnet/ACASXU_run2a_1_1_batch_2000.nnet");
        assumeTrue(Files.isRegularFile(nnet), "ACAS Xu data not found");
        Path tmp = Files.createTempDirectory("cli");
        Run ins = engram("inspect", nnet.toString());
        assertEquals(0, ins.code());
        assertTrue(ins.out().contains("total parameters: 13305"), ins.out());
        Path onnx = tmp.resolve("a.onnx");
        assertEquals(0, engram("convert", nnet.toString(), onnx.toString()).code());
        Run r1 = engram("run", "--model", nnet.toString(), "--input", "0.1,0.2,-0.1,0.3,0.4");
        Run r2 = engram("run", "--model", onnx.toString(), "--input", "0.1,0.2,-0.1,0.3,0.4");
        assertEquals(r1.out(), r2.out());
        Path csv = tmp.resolve("in.csv");
        Files.writeString(csv, "rho,theta,psi,vown,vint\n0.1,0.2,-0.1,0.3,0.4\n0,0,0,0,0\n");
        Run r3 = engram("run", "--model", onnx.toString(), "--inputs", csv.toString(), "--taps");
        assertEquals(0, r3.code(), r3.err());
        assertTrue(r3.out().startsWith(r1.out().trim()));
        Path bad = tmp.resolve("bad.onnx");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5});
        Run e = engram("inspect", bad.toString());
        assertEquals(2, e.code());
        assertTrue(e.err().startsWith("engram: error: ") && !e.err().contains("Exception"), e.err());
        Run e2 = engram("convert", nnet.toString(), nnet.toString());
        assertEquals(2, e2.code());
    }
}
