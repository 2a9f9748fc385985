package dev.engram.parse;

import dev.engram.ast.CmpOp;
import dev.engram.ast.Consequent;
import dev.engram.ast.Expr;
import dev.engram.ast.InputDomain;
import dev.engram.ast.Name;
import dev.engram.ast.Premise;
import dev.engram.ast.RuleFile;
import dev.engram.ast.Statement;
import dev.engram.source.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Random;

/** Random ASTs for property tests: every statement form, nested premises/consequents/expressions. */
final class AstGen {
    private static final Span S = Span.NONE;
    private static final String[] NAMES = {"x", "rho", "theta", "v_own", "COC", "approve", "Age2", "_tmp", "sex", "near_miss"};
    private final Random r;

    AstGen(long seed) {
        this.r = new Random(seed);
    }

    RuleFile file() {
        List<Statement> st = new ArrayList<>();
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
            st.add(statement());
        }
        return new RuleFile(st, S);
    }

    private Name name() {
        String base = NAMES[r.nextInt(NAMES.length)];
        return new Name(r.nextInt(4) == 0 ? base + r.nextInt(100) : base, S);
    }

    private String doc() {
        if (r.nextInt(3) != 0) {
            return "";
        }
        List<String> lines = new ArrayList<>();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            lines.add(i > 0 && r.nextInt(4) == 0 ? "" : "Some words " + r.nextInt(1000) + " (in ft/s) *ok*");
        }
        lines.set(0, "Doc " + r.nextInt(10));
        lines.set(lines.size() - 1, "end " + r.nextInt(10));
        return String.join("\n", lines);
    }

    private String string() {
        String[] s = {"model.onnx", "../shared/data/a b.onnx", "quote\"d", "back\\slash", "tab\there", "", "naïve ✓"};
        return s[r.nextInt(s.length)];
    }

    double signed() {
        double v = number();
        return r.nextBoolean() ? -v : v;
    }

    double number() {
        switch (r.nextInt(6)) {
            case 0:
                return r.nextInt(100);
            case 1:
                return r.nextInt(100000) / 1000.0;
            case 2:
                return Double.MAX_VALUE / (1 + r.nextInt(10));
            case 3:
                return Double.MIN_VALUE * (1 + r.nextInt(10));
            case 4:
                return 1e15 + r.nextInt(10);
            default:
                return Math.abs(r.nextGaussian() * 1e6);
        }
    }

    Statement statement() {
        String d = doc();
        switch (r.nextInt(14)) {
            case 0:
                return new Statement.ModelDecl(string(), d, S);
            case 1:
                InputDomain dom;
                if (r.nextBoolean()) {
                    dom = new InputDomain.Real(expr(2), expr(2), r.nextBoolean() ? "" : (r.nextBoolean() ? "ft" : "ft/s"), S);
                } else {
                    List<Name> vals = new ArrayList<>();
                    for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
                        vals.add(name());
                    }
                    dom = new InputDomain.Categorical(vals, S);
                }
                return new Statement.InputDecl(name(), r.nextInt(1000), dom, d, S);
            case 2:
                return new Statement.OutputDecl(name(), r.nextInt(1000), d, S);
            case 3:
                return new Statement.NormalizeDecl(name(), r.nextBoolean() ? Statement.NormKind.MEAN_RANGE : Statement.NormKind.SCALE_OFFSET,
                        signed(), signed(), d, S);
            case 4:
                return new Statement.DecideDecl(r.nextBoolean() ? Statement.Direction.ARGMAX : Statement.Direction.ARGMIN, d, S);
            case 5:
                return new Statement.ConceptDef(name(), premise(3), d, S);
            case 6:
                return new Statement.ConceptFromData(name(), string(), r.nextBoolean() ? Optional.of(string()) : Optional.empty(),
                        r.nextBoolean() ? OptionalInt.of(r.nextInt(10)) : OptionalInt.empty(), d, S);
            case 7:
                return new Statement.RuleStmt(name(), premise(3), consequent(3),
                        r.nextBoolean() ? Optional.of(r.nextBoolean() ? Statement.Strategy.GUARD : Statement.Strategy.REPAIR) : Optional.empty(),
                        r.nextBoolean() ? OptionalDouble.of(signed()) : OptionalDouble.empty(), d, S);
            case 8:
                return new Statement.IgnoreStmt(name(), d, S);
            case 9:
                return new Statement.EraseStmt(name(), r.nextInt(50), d, S);
            case 10:
                return new Statement.SteerStmt(name(), r.nextInt(50), signed(), d, S);
            case 11:
                return new Statement.MonotoneStmt(expr(2), r.nextBoolean(), name(),
                        r.nextBoolean() ? Optional.of(premise(3)) : Optional.empty(), d, S);
            case 12:
                return new Statement.PropertyStmt(name(), premise(3), consequent(3), d, S);
            default:
                return new Statement.ImportVnnlib(string(), r.nextBoolean(), r.nextBoolean() ? Optional.of(name()) : Optional.empty(), d, S);
        }
    }

    private List<CmpOp> ops(int n) {
        List<CmpOp> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ops.add(CmpOp.values()[r.nextInt(CmpOp.values().length)]);
        }
        return ops;
    }

    Premise premise(int depth) {
        int k = depth <= 0 ? 3 + r.nextInt(4) : r.nextInt(7);
        switch (k) {
            case 0:
            case 1: {
                List<Premise> items = new ArrayList<>();
                for (int i = 0, n = 2 + r.nextInt(2); i < n; i++) {
                    items.add(premise(depth - 1));
                }
                return k == 0 ? new Premise.Or(items, S) : new Premise.And(items, S);
            }
            case 2:
                return new Premise.Not(premise(depth - 1), S);
            case 3: {
                int n = 2 + r.nextInt(2);
                List<Expr> es = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    es.add(expr(2));
                }
                return new Premise.Compare(es, ops(n - 1), S);
            }
            case 4:
                return new Premise.InInterval(expr(2), expr(1), expr(1), S);
            case 5:
                return new Premise.IsValue(name(), r.nextBoolean(), name(), S);
            default:
                return new Premise.ConceptRef(name(), S);
        }
    }

    Consequent consequent(int depth) {
        int k = depth <= 0 ? 2 + r.nextInt(2) : r.nextInt(4);
        switch (k) {
            case 0:
            case 1: {
                List<Consequent> items = new ArrayList<>();
                for (int i = 0, n = 2 + r.nextInt(2); i < n; i++) {
                    items.add(consequent(depth - 1));
                }
                return k == 0 ? new Consequent.Or(items, S) : new Consequent.And(items, S);
            }
            case 2:
                return new Consequent.Predicate(name(), r.nextBoolean(),
                        Consequent.PredKind.values()[r.nextInt(3)], S);
            default: {
                int n = 2 + r.nextInt(2);
                List<Expr> es = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    es.add(expr(2));
                }
                return new Consequent.Compare(es, ops(n - 1), S);
            }
        }
    }

    Expr expr(int depth) {
        int k = depth <= 0 ? r.nextInt(3) : r.nextInt(5);
        switch (k) {
            case 0:
                return new Expr.Num(number(), S);
            case 1:
                return r.nextInt(4) == 0 ? new Expr.Pi(S) : new Expr.Var(name(), S);
            case 2:
                return depth <= 0 ? new Expr.Num(number(), S) : new Expr.Neg(expr(depth - 1), S);
            default:
                return new Expr.Binary(expr(depth - 1), Expr.BinOp.values()[r.nextInt(4)], expr(depth - 1), S);
        }
    }
}
