import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Generates the pointwise kernels from their declarations (src/main/ops/pointwise.ops): the
 * {@code PointwiseOp} constants, the scalar provider's float and double loops and the vector
 * provider's loops, so that an operation is written once. Run by the build (generate-sources):
 *
 * <pre>java tools/codegen/PointwiseGenerator.java src/main/ops/pointwise.ops target/generated-sources/pointwise</pre>
 *
 * <p>The vector loops spell every function out inline, with Vector API calls only: a vector
 * passed to or returned from a method of ours is boxed once C2's inlining budget runs out (see
 * VectorMath). Each operation is evaluated in the written order, without fused multiply-adds, and
 * the functions repeat FloatMath's steps, so the two providers give the same bits.
 */
public final class PointwiseGenerator {

    /** One declared operation. */
    record Op(String constant, String name, String torch, boolean positive, List<Stmt> forward, List<Stmt> backward) {
        boolean backwardUses(String var) {
            for (Stmt s : backward) {
                if (s.expr().uses(var)) {
                    return true;
                }
            }
            return false;
        }
    }

    record Stmt(String target, Expr expr) {
    }

    /** An expression tree. */
    sealed interface Expr permits Num, Var, Neg, Bin, Call {
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

    record Call(String fn, Expr arg) implements Expr {
        public boolean uses(String var) {
            return arg.uses(var);
        }
    }

    static final Set<String> FUNCTIONS = Set.of("exp", "log", "sigmoid", "tanh", "erf");

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java PointwiseGenerator.java <pointwise.ops> <output directory>");
            System.exit(2);
        }
        List<Op> ops = parse(Path.of(args[0]));
        Path out = Path.of(args[1]);
        write(out.resolve("dev/lanes/kernel/internal/PointwiseOp.java"), opEnum(ops));
        write(out.resolve("dev/lanes/kernel/scalar/ScalarPointwise.java"), scalar(ops));
        write(out.resolve("dev/lanes/kernel/vector/VectorPointwise.java"), vector(ops));
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        if (Files.exists(file) && Files.readString(file).equals(text)) {
            return; // unchanged: keep the time stamp, so incremental compilation stays incremental
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------ parsing

    static List<Op> parse(Path file) throws IOException {
        List<Op> ops = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        Op current = null;
        List<Stmt> section = null;
        String constant = null, name = null, torch = null;
        boolean positive = false;
        List<Stmt> forward = null, backward = null;
        for (int ln = 0; ln < lines.size(); ln++) {
            String line = lines.get(ln).strip();
            String where = file + ":" + (ln + 1) + ": ";
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("op ")) {
                if (constant != null) {
                    throw new IllegalArgumentException(where + "'op' before the previous op's 'end'");
                }
                String[] parts = line.split("\\s+");
                constant = parts[1];
                if (!constant.matches("[A-Z][A-Z0-9_]*")) {
                    throw new IllegalArgumentException(where + "the constant must be UPPER_CASE, got " + constant);
                }
                for (int i = 2; i < parts.length; i++) {
                    String[] kv = parts[i].split("=", 2);
                    switch (kv[0]) {
                        case "name" -> name = kv[1];
                        case "torch" -> torch = kv[1];
                        case "domain" -> {
                            if (!kv[1].equals("positive")) {
                                throw new IllegalArgumentException(where + "the only domain is 'positive'");
                            }
                            positive = true;
                        }
                        default -> throw new IllegalArgumentException(where + "unknown attribute " + kv[0]);
                    }
                }
                if (name == null || torch == null) {
                    throw new IllegalArgumentException(where + "an op needs name= and torch=");
                }
                forward = new ArrayList<>();
                backward = new ArrayList<>();
                section = null;
            } else if (line.equals("forward")) {
                section = forward;
            } else if (line.equals("backward")) {
                section = backward;
            } else if (line.equals("end")) {
                checkAssigns(where, constant, forward, "y", Set.of("x"));
                checkAssigns(where, constant, backward, "dx", Set.of("x", "y", "dy"));
                ops.add(new Op(constant, name, torch, positive, forward, backward));
                constant = name = torch = null;
                positive = false;
                section = null;
            } else {
                if (section == null) {
                    throw new IllegalArgumentException(where + "a statement outside 'forward' or 'backward'");
                }
                int eq = line.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException(where + "expected <name> = <expression>");
                }
                String target = line.substring(0, eq).strip();
                if (!target.matches("[a-z][a-z0-9]*")) {
                    throw new IllegalArgumentException(where + "bad variable name '" + target + "'");
                }
                section.add(new Stmt(target, new Parser(line.substring(eq + 1), where).parse()));
            }
        }
        if (constant != null) {
            throw new IllegalArgumentException(file + ": op " + constant + " has no 'end'");
        }
        return ops;
    }

    static void checkAssigns(String where, String op, List<Stmt> stmts, String result, Set<String> inputs) {
        Set<String> defined = new LinkedHashSet<>(inputs);
        for (Stmt s : stmts) {
            checkDefined(where + op + ": ", s.expr(), defined);
            if (!defined.add(s.target())) {
                throw new IllegalArgumentException(where + op + ": '" + s.target() + "' is assigned twice");
            }
        }
        if (stmts.isEmpty() || !stmts.get(stmts.size() - 1).target().equals(result)) {
            throw new IllegalArgumentException(where + op + ": the section must end by assigning " + result);
        }
    }

    static void checkDefined(String where, Expr e, Set<String> defined) {
        switch (e) {
            case Var v -> {
                if (!defined.contains(v.name())) {
                    throw new IllegalArgumentException(where + "'" + v.name() + "' is not defined here");
                }
            }
            case Neg n -> checkDefined(where, n.e(), defined);
            case Bin b -> {
                checkDefined(where, b.a(), defined);
                checkDefined(where, b.b(), defined);
            }
            case Call c -> checkDefined(where, c.arg(), defined);
            case Num n -> { }
        }
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
            while (i < s.length() && Character.isLetterOrDigit(s.charAt(i))) {
                i++;
            }
            if (start == i) {
                throw error("expected a number, a name or '('");
            }
            String id = s.substring(start, i);
            if (eat('(')) {
                if (!FUNCTIONS.contains(id)) {
                    throw error("unknown function " + id + " (known: " + FUNCTIONS + ")");
                }
                Expr arg = sum();
                if (!eat(')')) {
                    throw error("missing ')'");
                }
                return new Call(id, arg);
            }
            return new Var(id);
        }
    }

    // ------------------------------------------------------------------------------ output

    static final String HEADER = "// Generated by tools/codegen/PointwiseGenerator.java from src/main/ops/pointwise.ops.\n"
            + "// Do not edit: change the declaration or the generator.\n";

    static String opEnum(List<Op> ops) {
        StringBuilder b = new StringBuilder(HEADER);
        b.append("package dev.lanes.kernel.internal;\n\n");
        b.append("/**\n * The pointwise operations declared in {@code src/main/ops/pointwise.ops}: {@code y = f(x)},\n"
                + " * with a derivative computed from the input and/or the output.\n */\n");
        b.append("public enum PointwiseOp {\n\n");
        for (int k = 0; k < ops.size(); k++) {
            Op op = ops.get(k);
            b.append("    /** {@code ").append(op.name()).append("}: ").append(describe(op.forward()))
                    .append(". */\n");
            b.append("    ").append(op.constant()).append("(\"").append(op.name()).append("\", \"")
                    .append(op.torch()).append("\", ").append(op.backwardUses("x")).append(", ")
                    .append(op.backwardUses("y")).append(", ").append(op.positive()).append(")").append(k + 1 < ops.size() ? ",\n\n" : ";\n\n");
        }
        b.append("""
                    private final String opName;
                    private final String torchName;
                    private final boolean backwardUsesInput;
                    private final boolean backwardUsesOutput;
                    private final boolean positiveDomain;

                    PointwiseOp(String opName, String torchName, boolean backwardUsesInput, boolean backwardUsesOutput,
                                boolean positiveDomain) {
                        this.opName = opName;
                        this.torchName = torchName;
                        this.backwardUsesInput = backwardUsesInput;
                        this.backwardUsesOutput = backwardUsesOutput;
                        this.positiveDomain = positiveDomain;
                    }

                    /** @return whether the operation is defined for positive inputs only (tests draw those) */
                    public boolean positiveDomain() {
                        return positiveDomain;
                    }

                    /** @return the operation's name in messages */
                    public String opName() {
                        return opName;
                    }

                    /** @return the name of its derivative in messages */
                    public String backwardName() {
                        return opName + "Backward";
                    }

                    /** @return the class name PyTorch gives its autograd node */
                    public String torchName() {
                        return torchName;
                    }

                    /** @return whether the derivative reads the input x (which the autograd node then keeps) */
                    public boolean backwardUsesInput() {
                        return backwardUsesInput;
                    }

                    /** @return whether the derivative reads the output y (which the autograd node then keeps) */
                    public boolean backwardUsesOutput() {
                        return backwardUsesOutput;
                    }
                }
                """);
        return b.toString();
    }

    static String describe(List<Stmt> stmts) {
        List<String> parts = new ArrayList<>();
        for (Stmt s : stmts) {
            parts.add(s.target() + " = " + text(s.expr()));
        }
        return String.join("; ", parts).replace("*/", "* /");
    }

    static String text(Expr e) {
        return switch (e) {
            case Num n -> n.text();
            case Var v -> v.name();
            case Neg n -> "-" + wrap(n.e());
            case Bin bin -> text(bin.a()) + " " + bin.op() + " " + wrap(bin.b());
            case Call c -> c.fn() + "(" + text(c.arg()) + ")";
        };
    }

    static String wrap(Expr e) {
        return e instanceof Bin ? "(" + text(e) + ")" : text(e);
    }

    static String method(Op op, String pass) {
        String camel = op.name().toLowerCase(Locale.ROOT);
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char c : camel.toCharArray()) {
            if (c == '_') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b + pass;
    }

    // ------------------------------------------------------------------------------ scalar

    static String scalar(List<Op> ops) {
        StringBuilder b = new StringBuilder(HEADER);
        b.append("""
                package dev.lanes.kernel.scalar;

                import dev.lanes.kernel.internal.DoubleMath;
                import dev.lanes.kernel.internal.FloatMath;
                import dev.lanes.kernel.internal.PointwiseOp;

                /**
                 * The pointwise operations as plain loops: the reference for the vector provider (same
                 * bits in single precision) and the double-precision path of both providers.
                 */
                public final class ScalarPointwise {

                    private ScalarPointwise() {
                    }

                """);
        for (String type : new String[] {"float", "double"}) {
            b.append("    /** {@code y = op(x)}. */\n");
            b.append("    public static void forward(PointwiseOp op, T[] x, int xOff, T[] y, int yOff, int n) {\n"
                    .replace("T", type));
            b.append("        forward(op, x, xOff, null, 0, y, yOff, n);\n    }\n\n");
            b.append("    /** {@code y = op(x + b)}, or {@code op(x)} when {@code b} is null. */\n");
            b.append(("    public static void forward(PointwiseOp op, T[] x, int xOff, T[] b, int bOff, T[] y, int yOff,\n"
                    + "                               int n) {\n").replace("T[]", type + "[]"));
            b.append("        switch (op) {\n");
            for (Op op : ops) {
                b.append("            case ").append(op.constant()).append(" -> ").append(method(op, "Forward"))
                        .append("(x, xOff, b, bOff, y, yOff, n);\n");
            }
            b.append("        }\n    }\n\n");
            b.append("    /** {@code dx = dy * op'(x)}, from the input {@code x} and/or the output {@code y} (either may be\n"
                    + "     * null when the operation does not read it). */\n");
            b.append(("    public static void backward(PointwiseOp op, T[] x, int xOff, T[] y, int yOff, T[] dy, int dyOff,\n"
                    + "                                T[] dx, int dxOff, int n) {\n").replace("T[]", type + "[]"));
            b.append("        switch (op) {\n");
            for (Op op : ops) {
                b.append("            case ").append(op.constant()).append(" -> ").append(method(op, "Backward"))
                        .append("(x, xOff, y, yOff, dy, dyOff, dx, dxOff, n);\n");
            }
            b.append("        }\n    }\n\n");
        }
        for (Op op : ops) {
            for (String type : new String[] {"float", "double"}) {
                b.append("    private static void ").append(method(op, "Forward")).append("(").append(type)
                        .append("[] x, int xOff, ").append(type).append("[] b, int bOff, ").append(type)
                        .append("[] y, int yOff, int n) {\n");
                b.append("        for (int i = 0; i < n; i++) {\n");
                b.append("            ").append(type).append(" v_x = b == null ? x[xOff + i] : x[xOff + i] + b[bOff + i];\n");
                for (Stmt s : op.forward()) {
                    b.append("            ").append(type).append(" v_").append(s.target()).append(" = ")
                            .append(scalarExpr(s.expr(), type)).append(";\n");
                }
                b.append("            y[yOff + i] = v_y;\n        }\n    }\n\n");
                b.append("    private static void ").append(method(op, "Backward")).append("(").append(type)
                        .append("[] x, int xOff, ").append(type).append("[] y, int yOff, ").append(type)
                        .append("[] dy, int dyOff, ").append(type).append("[] dx, int dxOff, int n) {\n");
                b.append("        for (int i = 0; i < n; i++) {\n");
                if (op.backwardUses("x")) {
                    b.append("            ").append(type).append(" v_x = x[xOff + i];\n");
                }
                if (op.backwardUses("y")) {
                    b.append("            ").append(type).append(" v_y = y[yOff + i];\n");
                }
                b.append("            ").append(type).append(" v_dy = dy[dyOff + i];\n");
                for (Stmt s : op.backward()) {
                    b.append("            ").append(type).append(" v_").append(s.target()).append(" = ")
                            .append(scalarExpr(s.expr(), type)).append(";\n");
                }
                b.append("            dx[dxOff + i] = v_dx;\n        }\n    }\n\n");
            }
        }
        b.setLength(b.length() - 1);
        b.append("}\n");
        return b.toString();
    }

    static String literal(String text, String type) {
        double v = Double.parseDouble(text);
        if (type.equals("float")) {
            float f = (float) v;
            return "(" + Float.toString(f) + "f)";
        }
        return "(" + Double.toString(v) + ")";
    }

    static String scalarExpr(Expr e, String type) {
        return switch (e) {
            case Num n -> literal(n.text(), type);
            case Var v -> "v_" + v.name();
            case Neg n -> "(-" + scalarExpr(n.e(), type) + ")";
            case Bin bin -> "(" + scalarExpr(bin.a(), type) + " " + bin.op() + " " + scalarExpr(bin.b(), type) + ")";
            case Call c -> (type.equals("float") ? "FloatMath." : "DoubleMath.") + c.fn() + "("
                    + scalarExpr(c.arg(), type) + ")";
        };
    }

    // ------------------------------------------------------------------------------ vector

    /** Emits SSA lines for one loop body; constants become static final vectors. */
    static final class VectorBody {
        final StringBuilder lines = new StringBuilder();
        final Map<String, String> constants;
        int temp;

        VectorBody(Map<String, String> constants) {
            this.constants = constants;
        }

        String fresh(String stem) {
            return stem + "_" + (temp++);
        }

        void line(String text) {
            lines.append("            ").append(text).append('\n');
        }

        String constant(String text) {
            float f = (float) Double.parseDouble(text);
            String key = Float.toString(f) + "f";
            return constants.computeIfAbsent(key, k -> "C" + constants.size());
        }

        String emit(Expr e) {
            switch (e) {
                case Num n -> {
                    return constant(n.text());
                }
                case Var v -> {
                    return "v_" + v.name();
                }
                case Neg n -> {
                    String a = emit(n.e());
                    String t = fresh("t");
                    line("FloatVector " + t + " = " + a + ".neg();");
                    return t;
                }
                case Bin bin -> {
                    String a = emit(bin.a());
                    String b = emit(bin.b());
                    String t = fresh("t");
                    String m = switch (bin.op()) {
                        case '+' -> "add";
                        case '-' -> "sub";
                        case '*' -> "mul";
                        default -> "div";
                    };
                    line("FloatVector " + t + " = " + a + "." + m + "(" + b + ");");
                    return t;
                }
                case Call c -> {
                    String a = emit(c.arg());
                    String out = fresh(c.fn());
                    switch (c.fn()) {
                        case "exp" -> exp(a, out);
                        case "sigmoid" -> sigmoid(a, out);
                        case "tanh" -> tanh(a, out);
                        case "log" -> log(a, out);
                        default -> erf(a, out);
                    }
                    return out;
                }
            }
        }

        // The functions, step for step as in FloatMath (VectorMath has the same loops by hand).

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
            line("FloatVector ft" + k + " = VectorMath.ONE.div(fx" + k + ".mul(V_ERF_P).add(VectorMath.ONE));");
            line("FloatVector fq" + k + " = ft" + k + ".mul(V_ERF_A5).add(V_ERF_A4).mul(ft" + k
                    + ").add(V_ERF_A3).mul(ft" + k + ").add(V_ERF_A2).mul(ft" + k + ").add(V_ERF_A1);");
            line("FloatVector fa" + k + " = fx" + k + ".mul(fx" + k + ").neg();");
            exp("fa" + k, "fe" + k);
            line("FloatVector " + out + " = VectorMath.ONE.sub(fq" + k + ".mul(ft" + k + ").mul(fe" + k + "))"
                    + ".reinterpretAsInts().and(VectorMath.MAGNITUDE).or(" + in
                    + ".reinterpretAsInts().and(VectorMath.SIGN)).reinterpretAsFloats();");
        }
    }

    static String vector(List<Op> ops) {
        Map<String, String> constants = new LinkedHashMap<>();
        StringBuilder methods = new StringBuilder();
        for (Op op : ops) {
            VectorBody f = new VectorBody(constants);
            f.line("FloatVector v_x = FloatVector.fromArray(S, x, xOff + i);");
            f.line("if (b != null) {");
            f.line("    v_x = v_x.add(FloatVector.fromArray(S, b, bOff + i));");
            f.line("}");
            for (Stmt s : op.forward()) {
                String r = f.emit(s.expr());
                f.line("FloatVector v_" + s.target() + " = " + r + ";");
            }
            f.line("v_y.intoArray(y, yOff + i);");
            methods.append("    private static void ").append(method(op, "Forward"))
                    .append("(float[] x, int xOff, float[] b, int bOff, float[] y, int yOff, int n) {\n")
                    .append("        int i = 0;\n        for (; i <= n - L; i += L) {\n").append(f.lines)
                    .append("        }\n        if (i < n) {\n            ScalarPointwise.forward(PointwiseOp.")
                    .append(op.constant()).append(", x, xOff + i, b, bOff + i, y, yOff + i, n - i);\n        }\n    }\n\n");
            VectorBody g = new VectorBody(constants);
            if (op.backwardUses("x")) {
                g.line("FloatVector v_x = FloatVector.fromArray(S, x, xOff + i);");
            }
            if (op.backwardUses("y")) {
                g.line("FloatVector v_y = FloatVector.fromArray(S, y, yOff + i);");
            }
            g.line("FloatVector v_dy = FloatVector.fromArray(S, dy, dyOff + i);");
            for (Stmt s : op.backward()) {
                String r = g.emit(s.expr());
                g.line("FloatVector v_" + s.target() + " = " + r + ";");
            }
            g.line("v_dx.intoArray(dx, dxOff + i);");
            methods.append("    private static void ").append(method(op, "Backward"))
                    .append("(float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff,\n")
                    .append("                                 int n) {\n")
                    .append("        int i = 0;\n        for (; i <= n - L; i += L) {\n").append(g.lines)
                    .append("        }\n        if (i < n) {\n            ScalarPointwise.backward(PointwiseOp.")
                    .append(op.constant()).append(", x, xOff + i, y, yOff + i, dy, dyOff + i, dx, dxOff + i, n - i);\n")
                    .append("        }\n    }\n\n");
        }
        StringBuilder b = new StringBuilder(HEADER);
        b.append("""
                package dev.lanes.kernel.vector;

                import dev.lanes.kernel.internal.FloatMath;
                import dev.lanes.kernel.internal.PointwiseOp;
                import dev.lanes.kernel.scalar.ScalarPointwise;
                import jdk.incubator.vector.FloatVector;
                import jdk.incubator.vector.IntVector;
                import jdk.incubator.vector.VectorMask;
                import jdk.incubator.vector.VectorOperators;
                import jdk.incubator.vector.VectorSpecies;

                /**
                 * The pointwise operations on whole vectors of the preferred species, the same operations
                 * in the same order as {@link ScalarPointwise}, whose loop finishes the last
                 * {@code n mod L} elements. Single precision only: double precision is the scalar code.
                 */
                @SuppressWarnings("unused")
                final class VectorPointwise {

                    private static final VectorSpecies<Float> S = VectorMath.S;
                    private static final int L = S.length();
                    private static final FloatVector V_ERF_P = FloatVector.broadcast(S, FloatMath.ERF_P);
                    private static final FloatVector V_ERF_A1 = FloatVector.broadcast(S, FloatMath.ERF_A1);
                    private static final FloatVector V_ERF_A2 = FloatVector.broadcast(S, FloatMath.ERF_A2);
                    private static final FloatVector V_ERF_A3 = FloatVector.broadcast(S, FloatMath.ERF_A3);
                    private static final FloatVector V_ERF_A4 = FloatVector.broadcast(S, FloatMath.ERF_A4);
                    private static final FloatVector V_ERF_A5 = FloatVector.broadcast(S, FloatMath.ERF_A5);
                """);
        for (Map.Entry<String, String> c : constants.entrySet()) {
            b.append("    private static final FloatVector ").append(c.getValue())
                    .append(" = FloatVector.broadcast(S, ").append(c.getKey()).append(");\n");
        }
        b.append("""

                    private VectorPointwise() {
                    }

                    /** {@code y = op(x)}. */
                    static void forward(PointwiseOp op, float[] x, int xOff, float[] y, int yOff, int n) {
                        forward(op, x, xOff, null, 0, y, yOff, n);
                    }

                    /** {@code y = op(x + b)}, or {@code op(x)} when {@code b} is null (a bias fused in). */
                    static void forward(PointwiseOp op, float[] x, int xOff, float[] b, int bOff, float[] y, int yOff,
                                        int n) {
                        switch (op) {
                """);
        for (Op op : ops) {
            b.append("            case ").append(op.constant()).append(" -> ").append(method(op, "Forward"))
                    .append("(x, xOff, b, bOff, y, yOff, n);\n");
        }
        b.append("""
                        }
                    }

                    /** {@code dx = dy * op'}, from x and/or y (null when not read). */
                    static void backward(PointwiseOp op, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
                                         float[] dx, int dxOff, int n) {
                        switch (op) {
                """);
        for (Op op : ops) {
            b.append("            case ").append(op.constant()).append(" -> ").append(method(op, "Backward"))
                    .append("(x, xOff, y, yOff, dy, dyOff, dx, dxOff, n);\n");
        }
        b.append("        }\n    }\n\n");
        b.append(methods);
        b.setLength(b.length() - 1);
        b.append("}\n");
        return b.toString();
    }
}
