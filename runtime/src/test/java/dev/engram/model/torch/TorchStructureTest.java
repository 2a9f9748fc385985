package dev.engram.model.torch;

import dev.engram.model.ModelException;
import dev.engram.model.ModelLimits;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The structure reader on hand-written code: what it reads, and the limits that stop code that never ends. */
class TorchStructureTest {

    static TorchArchive archive(String code) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("m/data.pkl"));
            z.write("\u0080\u0002c__torch__\nM\nq\u0000".getBytes(StandardCharsets.ISO_8859_1));
            z.putNextEntry(new ZipEntry("m/code/__torch__.py"));
            z.write(code.getBytes(StandardCharsets.UTF_8));
            z.putNextEntry(new ZipEntry("m/version"));
            z.write('3');
        }
        return TorchArchive.of("m.pt", out.toByteArray());
    }

    static final String HEAD = "class M(Module):\n  __parameters__ = [\"weight\", \"bias\", \"w2\", ]\n"
            + "  weight : Tensor\n  bias : Tensor\n  w2 : Tensor\n"
            + "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n";

    @Test
    void readsLinearReluChainsAndConstantBranches() throws Exception {
        String code = HEAD + "    weight = self.weight\n    if False:\n      y = x\n    else:\n"
                + "      y = torch.relu(torch.linear(x, weight, self.bias))\n    return torch.linear(y, self.w2, None)\n";
        List<TorchStructure.Layer> layers = TorchStructure.read("m.pt", archive(code), ModelLimits.defaults());
        assertEquals(List.of(new TorchStructure.Layer("weight", "bias", true), new TorchStructure.Layer("w2", null,
                false)), layers);
    }

    @Test
    void aLinearLayerWithoutBiasIsReadAsSuch() /* as torch.jit.save prints nn.Linear(bias=False) */ throws Exception {
        String code = "class M(Module):\n  __parameters__ = [\"weight\", \"bias\", ]\n  weight : Tensor\n  bias : NoneType\n"
                + "  def forward(self: __torch__.M,\n    input: Tensor) -> Tensor:\n    weight = self.weight\n"
                + "    bias = self.bias\n    return torch.linear(input, weight, bias)\n";
        assertEquals(List.of(new TorchStructure.Layer("weight", null, false)),
                TorchStructure.read("m.pt", archive(code), ModelLimits.defaults()));
    }

    @Test
    void endlessRecursionStopsAtTheDepthLimit() throws Exception {
        String code = HEAD + "    return (self).forward(x, )\n";
        ModelException e = assertThrows(ModelException.class,
                () -> TorchStructure.read("m.pt", archive(code), ModelLimits.defaults()));
        assertTrue(e.getMessage().contains("calls nested deeper than 64"), e.getMessage());
    }

    @Test
    void longCodeStopsAtTheStatementLimit() throws Exception {
        String code = HEAD + "    y = x\n".repeat(500) + "    return y\n";
        ModelException e = assertThrows(ModelException.class,
                () -> TorchStructure.read("m.pt", archive(code), new ModelLimits(1 << 20, 1 << 20, 100, 64)));
        assertTrue(e.getMessage().contains("more than 100 statements"), e.getMessage());
    }

    @Test
    void operatorsOutsideTheChainAreRefusedNamingTheLine() throws Exception {
        for (String body : List.of("    return torch.add(x, x)\n", "    return x * 2\n", "    return x[0]\n",
                "    for i in range(3):\n      x = x\n    return x\n", "    return torch.sigmoid(x)\n",
                "    return x\n")) {
            ModelException e = assertThrows(ModelException.class,
                    () -> TorchStructure.read("m.pt", archive(HEAD + body), ModelLimits.defaults()), body);
            assertTrue(e.getMessage().startsWith("m.pt: cannot read the network exactly"), e.getMessage());
        }
    }
}
