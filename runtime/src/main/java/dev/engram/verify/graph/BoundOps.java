package dev.engram.verify.graph;

import dev.engram.model.dag.Add;
import dev.engram.model.dag.AveragePool;
import dev.engram.model.dag.Binary;
import dev.engram.model.dag.Conv;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.LeakyRelu;
import dev.engram.model.dag.MaxPool;
import dev.engram.model.dag.Op;
import dev.engram.model.dag.ProductOp;
import dev.engram.model.dag.Relayout;
import dev.engram.model.dag.Relu;
import dev.engram.model.dag.Reshape;
import dev.engram.model.dag.Sigmoid;
import dev.engram.model.dag.Sub;
import dev.engram.model.dag.Tanh;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The bound operator of each graph operator: one line per operator class (adding one is a class and a line). An
 * operator without bounds is refused with its node and type named, never skipped.
 */
public final class BoundOps {
    private static final Map<Class<? extends Op>, Function<Op, BoundOp>> OPS = Map.ofEntries(
            Map.entry(dev.engram.model.dag.Gemm.class, op -> GemmBound.of((ProductOp) op)),
            Map.entry(dev.engram.model.dag.MatMul.class, op -> GemmBound.of((ProductOp) op)),
            Map.entry(Conv.class, op -> ConvBound.of((Conv) op)),
            Map.entry(AveragePool.class, op -> AveragePoolBound.of((AveragePool) op)),
            Map.entry(MaxPool.class, op -> MaxPoolBound.of((MaxPool) op)),
            Map.entry(Add.class, BoundOps::binary),
            Map.entry(Sub.class, BoundOps::binary),
            Map.entry(dev.engram.model.dag.Mul.class, BoundOps::binary),
            Map.entry(dev.engram.model.dag.Div.class, BoundOps::binary),
            Map.entry(Relu.class, op -> new ReluBound("Relu", op.shape().size(), 0)),
            Map.entry(LeakyRelu.class, op -> leaky((LeakyRelu) op)),
            Map.entry(Sigmoid.class, op -> new SigmoidBound(op.shape().size())),
            Map.entry(Tanh.class, op -> new TanhBound(op.shape().size())),
            Map.entry(Reshape.class, op -> RelayoutBound.identity(op.type(), op.shape().size())),
            Map.entry(dev.engram.model.dag.Transpose.class, BoundOps::relayout),
            Map.entry(dev.engram.model.dag.Pad.class, BoundOps::relayout),
            Map.entry(dev.engram.model.dag.Concat.class, op -> new ConcatBound((dev.engram.model.dag.Concat) op)),
            Map.entry(dev.engram.model.dag.Constant.class, op -> new ConstantBound((dev.engram.model.dag.Constant) op)));

    private BoundOps() {
    }

    /**
     * The bound operators of every node of {@code dag}, in node order.
     *
     * @throws IllegalArgumentException naming the first node whose operator has no bounds, and why
     */
    public static List<BoundOp> of(Dag dag) {
        List<BoundOp> out = new ArrayList<>();
        for (Dag.Node n : dag.nodes()) {
            Function<Op, BoundOp> f = OPS.get(n.op().getClass());
            if (f == null) {
                throw new IllegalArgumentException("operator " + n.op().type() + " at node " + n.label()
                        + " has no bounds yet (bounded: Gemm, MatMul, Conv, AveragePool, MaxPool, Add, Sub, Mul, Div,"
                        + " Relu, LeakyRelu, Sigmoid, Tanh, Flatten/Reshape/Squeeze/Unsqueeze/Identity, Transpose, Pad, Concat, Constant)");
            }
            try {
                out.add(f.apply(n.op()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("node " + n.label() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static BoundOp binary(Op op) {
        Binary b = (Binary) op;
        if (b.constant() != null) {
            return ScaleShiftBound.of(b);
        }
        if (b instanceof Add || b instanceof Sub) {
            return new SumBound(b);
        }
        throw new IllegalArgumentException(op.type() + " of two data operands has no bounds yet");
    }

    private static BoundOp leaky(LeakyRelu op) {
        if (!(op.alpha() >= 0 && op.alpha() <= 1)) {
            throw new IllegalArgumentException("LeakyRelu with alpha " + op.alpha() + " outside [0, 1] has no bounds");
        }
        return new ReluBound("LeakyRelu", op.shape().size(), op.alpha());
    }

    private static BoundOp relayout(Op op) {
        Relayout r = (Relayout) op;
        return new RelayoutBound(op.type(), r.source(), r.fill());
    }
}
