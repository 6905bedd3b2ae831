import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The expression language the kernel generators share, and its two translations: plain Java
 * over float or double, and Vector API code over the preferred float species that repeats the
 * plain version's operations in the same order (so both give the same bits in single precision).
 *
 * <p>An expression is built from + - * / (left to right, no fused multiply-add), unary minus,
 * parentheses, decimal constants (rounded to float in single precision), names (a name may carry
 * a block suffix such as {@code gates.2}, which the generator resolves) and the functions exp,
 * log, sigmoid, tanh, erf (FloatMath's in single precision, DoubleMath's in double), sqrt
 * (correctly rounded in both) and max (Math.max's NaN rule).
 */
final class Expressions {

    private Expressions() {
    }

    /** An expression tree. */
    sealed interface Expr permits Num, Var, Neg, Bin, Call {
        /** @return whether the name occurs in the expression */
        boolean uses(String var);
    }

    record Num(String text) implements Expr {
        public boolean uses(String var) {
            return false;
        }
    }

    record Var(String name) implements Expr {
        public boolean uses(String var) {
            return name.equals(var);
        }
    }

    record Neg(Expr e) implements Expr {
        public boolean uses(String var) {
            return e.uses(var);
        }
    }

    record Bin(char op, Expr a, Expr b) implements Expr {
        public boolean uses(String var) {
            return a.uses(var) || b.uses(var);
        }
    }

    record Call(String fn, List<Expr> args) implements Expr {
        public boolean uses(String var) {
            for (Expr a : args) {
                if (a.uses(var)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The functions and how many arguments each takes. */
    static final Map<String, Integer> FUNCTIONS = Map.of("exp", 1, "log", 1, "sigmoid", 1, "tanh", 1, "erf", 1,
            "sqrt", 1, "max", 2);

    /** Every name the expression reads, in order of appearance. */
    static void names(Expr e, Set<String> into) {
        switch (e) {
            case Var v -> into.add(v.name());
            case Neg n -> names(n.e(), into);
            case Bin b -> {
                names(b.a(), into);
                names(b.b(), into);
            }
            case Call c -> c.args().forEach(a -> names(a, into));
            case Num n -> { }
        }
    }

    /** The expression as written, for documentation. */
    static String text(Expr e) {
        return switch (e) {
            case Num n -> n.text();
            case Var v -> v.name();
            case Neg n -> "-" + wrap(n.e());
            case Bin bin -> (bin.a() instanceof Bin l && additive(l.op()) && !additive(bin.op()) ? "(" + text(l) + ")"
                    : text(bin.a())) + " " + bin.op() + " " + wrap(bin.b());
            case Call c -> c.fn() + "(" + String.join(",", c.args().stream().map(Expressions::text).toList()) + ")";
        };
    }

    private static boolean additive(char op) {
        return op == '+' || op == '-';
    }

    private static String wrap(Expr e) {
        return e instanceof Bin ? "(" + text(e) + ")" : text(e);
    }

    /** Recursive descent: sum := product (('+'|'-') product)*, product := unary (('*'|'/') unary)*. */
    static final class Parser {
        private final String s;
        private final String where;
        private int i;

        Parser(String s, String where) {
            this.s = s;
            this.where = where;
        }

        Expr parse() {
            Expr e = sum();
            skip();
            if (i != s.length()) {
                throw error("unexpected '" + s.substring(i) + "'");
            }
            return e;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(where + what + " in '" + s.strip() + "'");
        }

        private void skip() {
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
        }

        private boolean eat(char c) {
            skip();
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private Expr sum() {
            Expr e = product();
            while (true) {
                if (eat('+')) {
                    e = new Bin('+', e, product());
                } else if (eat('-')) {
                    e = new Bin('-', e, product());
                } else {
                    return e;
                }
            }
        }

        private Expr product() {
            Expr e = unary();
            while (true) {
                if (eat('*')) {
                    e = new Bin('*', e, unary());
                } else if (eat('/')) {
                    e = new Bin('/', e, unary());
                } else {
                    return e;
                }
            }
        }

        private Expr unary() {
            if (eat('-')) {
                Expr e = unary();
                return e instanceof Num n ? new Num("-" + n.text()) : new Neg(e);
            }
            return primary();
        }

        private Expr primary() {
            skip();
            if (eat('(')) {
                Expr e = sum();
                if (!eat(')')) {
                    throw error("missing ')'");
                }
                return e;
            }
            int start = i;
            if (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                    i++;
                }
                return new Num(s.substring(start, i));
            }
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || (i > start && s.charAt(i) == '.'))) {
                i++;
            }
            if (start == i) {
                throw error("expected a number, a name or '('");
            }
            String id = s.substring(start, i);
            if (eat('(')) {
                Integer arity = FUNCTIONS.get(id);
                if (arity == null) {
                    throw error("unknown function " + id + " (known: " + FUNCTIONS.keySet() + ")");
                }
                List<Expr> args = new ArrayList<>();
                args.add(sum());
                while (eat(',')) {
                    args.add(sum());
                }
                if (!eat(')')) {
                    throw error("missing ')'");
                }
                if (args.size() != arity) {
                    throw error(id + " takes " + arity + " argument(s)");
                }
                return new Call(id, args);
            }
            return new Var(id);
        }
    }

    // ------------------------------------------------------------------------------ plain Java

    static String literal(String text, String type) {
        double v = Double.parseDouble(text);
        if (type.equals("float")) {
            return "(" + Float.toString((float) v) + "f)";
        }
        return "(" + Double.toString(v) + ")";
    }

    /** The expression in plain Java over {@code type} (float or double); {@code var} spells a name. */
    static String scalar(Expr e, String type, Function<String, String> var) {
        boolean f = type.equals("float");
        return switch (e) {
            case Num n -> literal(n.text(), type);
            case Var v -> var.apply(v.name());
            case Neg n -> "(-" + scalar(n.e(), type, var) + ")";
            case Bin bin -> "(" + scalar(bin.a(), type, var) + " " + bin.op() + " " + scalar(bin.b(), type, var) + ")";
            case Call c -> {
                List<String> args = c.args().stream().map(a -> scalar(a, type, var)).toList();
                yield switch (c.fn()) {
                    case "sqrt" -> f ? "((float) Math.sqrt(" + args.get(0) + "))" : "Math.sqrt(" + args.get(0) + ")";
                    case "max" -> "Math.max(" + args.get(0) + ", " + args.get(1) + ")";
                    default -> (f ? "FloatMath." : "DoubleMath.") + c.fn() + "(" + args.get(0) + ")";
                };
            }
        };
    }

    // ------------------------------------------------------------------------------ Vector API

    /** A value in vector code: a FloatVector expression, or a float scalar that every lane shares. */
    record Operand(String text, boolean scalar) {
    }

    /**
     * Emits SSA lines for one loop body. Constants become static final vectors of the class (in
     * {@code constants}, shared by the bodies of one class); names resolve through {@link #var},
     * which a generator overrides to load arrays or read scalar parameters.
     */
    static class VectorBody {
        final StringBuilder lines = new StringBuilder();
        final Map<String, String> constants;
        private String indent;
        int temp;

        VectorBody(Map<String, String> constants, String indent) {
            this.constants = constants;
            this.indent = indent;
        }

        /** A name: by default the local {@code v_<name>}. */
        Operand var(String name) {
            return new Operand("v_" + name, false);
        }

        /** Lines after this are nested one level deeper (or, with a negative count, less deep). */
        void nest(int levels) {
            indent = levels > 0 ? indent + "    ".repeat(levels) : indent.substring(-4 * levels);
        }

        String fresh(String stem) {
            return stem + "_" + (temp++);
        }

        void line(String text) {
            lines.append(indent).append(text).append('\n');
        }

        String constant(String text) {
            float f = (float) Double.parseDouble(text);
            String key = Float.toString(f) + "f";
            return constants.computeIfAbsent(key, k -> "C" + constants.size());
        }

        /** The expression as a FloatVector (a scalar is broadcast). */
        String emit(Expr e) {
            Operand o = operand(e);
            return o.scalar() ? "FloatVector.broadcast(S, " + o.text() + ")" : o.text();
        }

        private Operand operand(Expr e) {
            switch (e) {
                case Num n -> {
                    return new Operand(constant(n.text()), false);
                }
                case Var v -> {
                    return var(v.name());
                }
                case Neg n -> {
                    String a = emit(n.e());
                    String t = fresh("t");
                    line("FloatVector " + t + " = " + a + ".neg();");
                    return new Operand(t, false);
                }
                case Bin bin -> {
                    Operand a = operand(bin.a());
                    Operand b = operand(bin.b());
                    String m = switch (bin.op()) {
                        case '+' -> "add";
                        case '-' -> "sub";
                        case '*' -> "mul";
                        default -> "div";
                    };
                    String t = fresh("t");
                    if (a.scalar() && !b.scalar() && (bin.op() == '+' || bin.op() == '*')) {
                        // IEEE addition and multiplication commute bit for bit: use the scalar overload.
                        line("FloatVector " + t + " = " + b.text() + "." + m + "(" + a.text() + ");");
                    } else if (a.scalar()) {
                        line("FloatVector " + t + " = FloatVector.broadcast(S, " + a.text() + ")." + m + "("
                                + b.text() + ");");
                    } else {
                        line("FloatVector " + t + " = " + a.text() + "." + m + "(" + b.text() + ");");
                    }
                    return new Operand(t, false);
                }
                case Call c -> {
                    String a = emit(c.args().get(0));
                    String out = fresh(c.fn());
                    switch (c.fn()) {
                        case "exp" -> exp(a, out);
                        case "sigmoid" -> sigmoid(a, out);
                        case "tanh" -> tanh(a, out);
                        case "log" -> log(a, out);
                        case "erf" -> erf(a, out);
                        case "sqrt" -> line("FloatVector " + out + " = " + a + ".sqrt();");
                        default -> line("FloatVector " + out + " = " + a + ".lanewise(VectorOperators.MAX, "
                                + emit(c.args().get(1)) + ");");
                    }
                    return new Operand(out, false);
                }
            }
        }

        // The functions, step for step as in FloatMath.

        void exp(String in, String out) {
            String k = "_" + (temp++);
            line("FloatVector et" + k + " = " + in + ".mul(VectorMath.V_LOG2E).add(VectorMath.V_MAGIC);");
            line("FloatVector ek" + k + " = et" + k + ".sub(VectorMath.V_MAGIC);");
            line("IntVector eki" + k + " = et" + k + ".reinterpretAsInts().sub(VectorMath.V_MAGIC_BITS);");
            line("FloatVector er" + k + " = " + in + ".sub(ek" + k + ".mul(VectorMath.V_LN2_HI)).sub(ek" + k
                    + ".mul(VectorMath.V_LN2_LO));");
            line("FloatVector eq" + k + " = er" + k + ".mul(VectorMath.V_E5).add(VectorMath.V_E4).mul(er" + k
                    + ").add(VectorMath.V_E3).mul(er" + k + ").add(VectorMath.V_E2).mul(er" + k
                    + ").add(VectorMath.V_E1).mul(er" + k + ").add(VectorMath.V_E0);");
            line("IntVector ek1" + k + " = eki" + k + ".lanewise(VectorOperators.ASHR, VectorMath.INT_ONE);");
            line("FloatVector es1" + k + " = ek1" + k
                    + ".add(VectorMath.BIAS).lanewise(VectorOperators.LSHL, VectorMath.TWENTY_THREE).reinterpretAsFloats();");
            line("FloatVector es2" + k + " = eki" + k + ".sub(ek1" + k
                    + ").add(VectorMath.BIAS).lanewise(VectorOperators.LSHL, VectorMath.TWENTY_THREE).reinterpretAsFloats();");
            line("FloatVector " + out + " = eq" + k + ".mul(er" + k + ".mul(er" + k + ")).add(er" + k
                    + ").add(VectorMath.ONE).mul(es1" + k + ").mul(es2" + k + ")");
            line("        .blend(VectorMath.POS_INF, " + in + ".compare(VectorOperators.GE, VectorMath.V_OVERFLOW))");
            line("        .blend(VectorMath.ZERO, " + in + ".compare(VectorOperators.LT, VectorMath.V_UNDERFLOW));");
        }

        void sigmoid(String in, String out) {
            String k = "_" + (temp++);
            line("VectorMask<Float> st" + k + " = " + in + ".compare(VectorOperators.LT, VectorMath.V_SIGMOID_EXP_BELOW);");
            line("FloatVector sa" + k + " = " + in + ".neg().blend(" + in + ", st" + k + ");");
            exp("sa" + k, "se" + k);
            line("FloatVector " + out + " = VectorMath.ONE.div(se" + k + ".add(VectorMath.ONE)).blend(se" + k + ", st"
                    + k + ");");
        }

        void tanh(String in, String out) {
            String k = "_" + (temp++);
            line("FloatVector tx" + k + " = " + in + ".abs();");
            line("FloatVector tz" + k + " = " + in + ".mul(" + in + ");");
            line("FloatVector tp" + k + " = tz" + k + ".mul(VectorMath.V_T4).add(VectorMath.V_T3).mul(tz" + k
                    + ").add(VectorMath.V_T2).mul(tz" + k + ").add(VectorMath.V_T1).mul(tz" + k
                    + ").add(VectorMath.V_T0);");
            line("FloatVector ts" + k + " = tp" + k + ".mul(tz" + k + ").mul(" + in + ").add(" + in + ").blend(" + in
                    + ", " + in + ".compare(VectorOperators.EQ, VectorMath.ZERO));");
            line("FloatVector ta" + k + " = tx" + k + ".mul(VectorMath.MINUS_TWO);");
            exp("ta" + k, "te" + k);
            line("FloatVector tl" + k + " = te" + k + ".neg().add(VectorMath.ONE).div(te" + k + ".add(VectorMath.ONE))"
                    + ".reinterpretAsInts().and(VectorMath.MAGNITUDE).or(" + in
                    + ".reinterpretAsInts().and(VectorMath.SIGN)).reinterpretAsFloats();");
            line("FloatVector " + out + " = tl" + k + ".blend(ts" + k + ", tx" + k
                    + ".compare(VectorOperators.LT, VectorMath.V_TANH_SMALL));");
        }

        void log(String in, String out) {
            String k = "_" + (temp++);
            line("VectorMask<Float> lsub" + k + " = " + in + ".compare(VectorOperators.LT, VectorMath.V_MIN_NORMAL);");
            line("IntVector lbits" + k + " = " + in + ".blend(" + in + ".mul(VectorMath.V_TWO_POW_23), lsub" + k
                    + ").reinterpretAsInts();");
            line("IntVector le" + k + " = lbits" + k
                    + ".lanewise(VectorOperators.ASHR, VectorMath.TWENTY_THREE).sub(VectorMath.BIAS);");
            line("le" + k + " = le" + k + ".blend(le" + k + ".sub(VectorMath.TWENTY_THREE), lsub" + k
                    + ".cast(VectorMath.I));");
            line("IntVector lmant" + k + " = lbits" + k + ".and(VectorMath.MANTISSA);");
            line("VectorMask<Integer> lhigh" + k + " = lmant" + k
                    + ".compare(VectorOperators.GT, VectorMath.V_SQRT_HALF);");
            line("FloatVector lm" + k + " = lmant" + k + ".or(VectorMath.EXPONENT_ONE).blend(lmant" + k
                    + ".or(VectorMath.EXPONENT_HALF), lhigh" + k + ").reinterpretAsFloats();");
            line("le" + k + " = le" + k + ".blend(le" + k + ".add(VectorMath.INT_ONE), lhigh" + k + ");");
            line("FloatVector lf" + k + " = lm" + k + ".sub(VectorMath.ONE);");
            line("FloatVector lfe" + k + " = (FloatVector) le" + k + ".convert(VectorOperators.I2F, 0);");
            line("FloatVector lz" + k + " = lf" + k + ".mul(lf" + k + ");");
            line("FloatVector lq" + k + " = lf" + k + ".mul(VectorMath.V_L8).add(VectorMath.V_L7).mul(lf" + k
                    + ").add(VectorMath.V_L6).mul(lf" + k + ").add(VectorMath.V_L5).mul(lf" + k
                    + ").add(VectorMath.V_L4).mul(lf" + k + ").add(VectorMath.V_L3).mul(lf" + k
                    + ").add(VectorMath.V_L2).mul(lf" + k + ").add(VectorMath.V_L1).mul(lf" + k
                    + ").add(VectorMath.V_L0);");
            line("FloatVector lr" + k + " = lq" + k + ".mul(lf" + k + ").mul(lz" + k + ").add(lfe" + k
                    + ".mul(VectorMath.V_LN2_LO)).sub(lz" + k + ".mul(VectorMath.HALF));");
            line("lr" + k + " = lf" + k + ".add(lr" + k + ").add(lfe" + k + ".mul(VectorMath.V_LN2_HI));");
            line("FloatVector " + out + " = lr" + k + ".blend(VectorMath.NAN, " + in
                    + ".compare(VectorOperators.GT, VectorMath.ZERO).not())");
            line("        .blend(VectorMath.NEG_INF, " + in + ".compare(VectorOperators.EQ, VectorMath.ZERO))");
            line("        .blend(VectorMath.POS_INF, " + in + ".compare(VectorOperators.EQ, VectorMath.POS_INF));");
        }

        void erf(String in, String out) {
            String k = "_" + (temp++);
            line("FloatVector fx" + k + " = " + in + ".abs();");
            line("FloatVector ft" + k + " = VectorMath.ONE.div(fx" + k + ".mul(VectorMath.V_ERF_P).add(VectorMath.ONE));");
            line("FloatVector fq" + k + " = ft" + k + ".mul(VectorMath.V_ERF_A5).add(VectorMath.V_ERF_A4).mul(ft" + k
                    + ").add(VectorMath.V_ERF_A3).mul(ft" + k + ").add(VectorMath.V_ERF_A2).mul(ft" + k
                    + ").add(VectorMath.V_ERF_A1);");
            line("FloatVector fa" + k + " = fx" + k + ".mul(fx" + k + ").neg();");
            exp("fa" + k, "fe" + k);
            line("FloatVector " + out + " = VectorMath.ONE.sub(fq" + k + ".mul(ft" + k + ").mul(fe" + k + "))"
                    + ".reinterpretAsInts().and(VectorMath.MAGNITUDE).or(" + in
                    + ".reinterpretAsInts().and(VectorMath.SIGN)).reinterpretAsFloats();");
        }
    }
}
