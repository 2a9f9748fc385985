package dev.engram.check;

import dev.engram.ast.CmpOp;
import dev.engram.ast.Expr;
import dev.engram.ast.Name;
import dev.engram.diag.DiagnosticCode;

import java.util.List;

/**
 * The checker's expressions: every arithmetic expression of a rule file is a linear form over the inputs (in a
 * premise), over the outputs (in a consequent) or a constant (bounds, parameters). Names are resolved against the
 * {@link Scope}; products and quotients of variables are {@code E016}, and each comparison becomes linear
 * constraints in real units.
 */
final class LinearForms {
    /** Deepest expression nesting accepted. */
    static final int MAX_DEPTH = 400;

    /** Where an expression stands, which decides what its names may be. */
    enum Ctx { CONSTANT, INPUTS, OUTPUTS }

    /** A linear form {@code coeffs · v + constant}; {@code ok} is false after an error inside it. */
    record Lin(double[] coeffs, double constant, boolean ok) {
        boolean isConstant() {
            for (double c : coeffs) {
                if (c != 0) {
                    return false;
                }
            }
            return true;
        }

        Lin scale(double k) {
            double[] c = coeffs.clone();
            for (int i = 0; i < c.length; i++) {
                c[i] *= k;
            }
            return new Lin(c, constant * k, ok);
        }

        Lin plus(Lin o, double sign) {
            double[] c = coeffs.clone();
            for (int i = 0; i < c.length; i++) {
                c[i] += sign * o.coeffs[i];
            }
            return new Lin(c, constant + sign * o.constant, ok && o.ok);
        }
    }

    private final Scope scope;

    LinearForms(Scope scope) {
        this.scope = scope;
    }

    /** The value of a constant expression (0 after an error). */
    static double constant(Scope scope, Expr e) {
        Lin l = new LinearForms(scope).linear(e, Ctx.CONSTANT, 0);
        return l.ok ? l.constant : 0;
    }

    Lin linear(Expr e, Ctx ctx, int depth) {
        int dim = ctx == Ctx.INPUTS ? scope.inputWidth : ctx == Ctx.OUTPUTS ? scope.outputWidth : 0;
        if (depth > MAX_DEPTH) {
            scope.error(DiagnosticCode.E024, e.span(), "expression too deeply nested", "simplify it");
            return new Lin(new double[dim], 0, false);
        }
        if (e instanceof Expr.Num n) {
            return new Lin(new double[dim], n.value(), true);
        } else if (e instanceof Expr.Pi) {
            return new Lin(new double[dim], Math.PI, true);
        } else if (e instanceof Expr.Neg n) {
            return linear(n.operand(), ctx, depth + 1).scale(-1);
        } else if (e instanceof Expr.Var v) {
            return variable(v.name(), ctx, dim);
        }
        return binary((Expr.Binary) e, ctx, depth, dim);
    }

    private Lin binary(Expr.Binary b, Ctx ctx, int depth, int dim) {
        Lin l = linear(b.left(), ctx, depth + 1);
        Lin r = linear(b.right(), ctx, depth + 1);
        Lin bad = new Lin(new double[dim], 0, false);
        switch (b.op()) {
            case ADD:
                return l.plus(r, 1);
            case SUB:
                return l.plus(r, -1);
            case MUL:
                if (l.isConstant()) {
                    return r.scale(l.constant);
                } else if (r.isConstant()) {
                    return l.scale(r.constant);
                }
                scope.error(DiagnosticCode.E016, b.span(), "product of two variables",
                        "rules must be linear: multiply variables by constants only");
                return bad;
            default:
                if (!r.isConstant()) {
                    scope.error(DiagnosticCode.E016, b.span(), "division by a variable",
                            "rules must be linear: divide by constants only");
                    return bad;
                }
                if (r.constant == 0 && r.ok) {
                    scope.error(DiagnosticCode.E021, b.right().span(), "division by zero", "divide by a non-zero constant");
                    return bad;
                }
                return r.ok ? l.scale(1 / r.constant) : bad;
        }
    }

    private Lin variable(Name n, Ctx ctx, int dim) {
        String name = n.text();
        Lin bad = new Lin(new double[dim], 0, false);
        if (ctx == Ctx.CONSTANT) {
            if (scope.kindOf(name) != null) {
                scope.error(DiagnosticCode.E021, n.span(), "'" + name + "' is not a constant",
                        "bounds and parameters must be numbers (pi and arithmetic allowed)");
            } else {
                scope.error(DiagnosticCode.E010, n.span(), "unknown name '" + name + "' in a constant",
                        "only numbers, pi and arithmetic are allowed here");
            }
            return bad;
        }
        int index = ctx == Ctx.INPUTS ? inputIndex(n) : outputIndex(n);
        if (index < 0) {
            return bad;
        }
        double[] c = new double[dim];
        c[index] = 1;
        return new Lin(c, 0, true);
    }

    private int inputIndex(Name n) {
        String name = n.text();
        CheckedProgram.Input in = scope.inputs.get(name);
        if (in == null) {
            String k = scope.kindOf(name);
            if (k != null) {
                scope.error(DiagnosticCode.E017, n.span(), "'" + name + "' is " + k + "; a premise compares inputs",
                        k.equals("a concept") ? "use the concept on its own, e.g. `when " + name + "`"
                                : "outputs belong after `then`/`ensure`");
            } else {
                scope.undefined(n, "input", scope.allNames(true, false, false));
            }
            return -1;
        }
        if (in.categorical()) {
            scope.error(DiagnosticCode.E015, n.span(), "'" + name + "' is categorical and cannot be used as a number",
                    "test it with `" + name + " is " + in.values().get(0) + "`");
            return -1;
        }
        return in.index();
    }

    private int outputIndex(Name n) {
        String name = n.text();
        CheckedProgram.Output out = scope.outputs.get(name);
        if (out == null) {
            String k = scope.kindOf(name);
            if (k != null) {
                scope.error(DiagnosticCode.E017, n.span(), "'" + name + "' is " + k + "; a consequent constrains outputs",
                        "inputs belong after `when`/`over`");
            } else {
                scope.undefined(n, "output", scope.allNames(false, true, false));
            }
            return -1;
        }
        return out.index();
    }

    /** Constraints for {@code a op b}; {@code negated} flips the comparison. Each inner list is a disjunction. */
    static List<List<Linear>> comparison(Lin a, CmpOp op, Lin b, boolean negated) {
        Lin d = a.plus(b, -1); // d = a - b, constraint d op 0
        Linear le = new Linear(d.coeffs, -d.constant, false);          // a <= b
        Linear lt = new Linear(d.coeffs, -d.constant, true);           // a < b
        Lin m = d.scale(-1);
        Linear ge = new Linear(m.coeffs, -m.constant, false);          // a >= b
        Linear gt = new Linear(m.coeffs, -m.constant, true);           // a > b
        switch (op) {
            case LE:
                return List.of(List.of(negated ? gt : le));
            case LT:
                return List.of(List.of(negated ? ge : lt));
            case GE:
                return List.of(List.of(negated ? lt : ge));
            case GT:
                return List.of(List.of(negated ? le : gt));
            default:
                return negated ? List.of(List.of(lt, gt)) : List.of(List.of(le), List.of(ge));
        }
    }
}
