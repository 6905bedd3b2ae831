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

    record Stmt(String target, Expressions.Expr expr) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java PointwiseGenerator.java <pointwise.ops> <output directory>");
            System.exit(2);
        }
        List<Op> ops = parse(Path.of(args[0]));
        Path out = Path.of(args[1]);
        write(out.resolve("dev/lanes/kernel/internal/PointwiseOp.java"), opEnum(ops));
        write(out.resolve("dev/lanes/kernel/internal/PointwiseKernels.java"), KERNELS);
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
                section.add(new Stmt(target, new Expressions.Parser(line.substring(eq + 1), where).parse()));
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

    static void checkDefined(String where, Expressions.Expr e, Set<String> defined) {
        switch (e) {
            case Expressions.Var v -> {
                if (!defined.contains(v.name())) {
                    throw new IllegalArgumentException(where + "'" + v.name() + "' is not defined here");
                }
            }
            case Expressions.Neg n -> checkDefined(where, n.e(), defined);
            case Expressions.Bin b -> {
                checkDefined(where, b.a(), defined);
                checkDefined(where, b.b(), defined);
            }
            case Expressions.Call c -> c.args().forEach(a -> checkDefined(where, a, defined));
            case Expressions.Num n -> { }
        }
    }

    // ------------------------------------------------------------------------------ output

    static final String HEADER = "// Generated by tools/codegen/PointwiseGenerator.java from src/main/ops/pointwise.ops.\n"
            + "// Do not edit: change the declaration or the generator.\n";

    /** The provider contract for the declared operations (the same for any set of declarations). */
    static final String KERNELS = HEADER + """
            package dev.lanes.kernel.internal;

            /**
             * The pointwise operations declared in {@code src/main/ops/pointwise.ops}, as each provider
             * runs them. Callers go through {@link Elementwise}, which checks the arguments and splits
             * long runs over threads.
             */
            public interface PointwiseKernels {

                /** {@code y = op(x)}. */
                void pointwise(PointwiseOp op, float[] x, int xOff, float[] y, int yOff, int n);

                /** {@code y = op(x)}. */
                void pointwise(PointwiseOp op, double[] x, int xOff, double[] y, int yOff, int n);

                /** {@code dx = dy * op'}, from the input {@code x} and/or the output {@code y} (null when not read). */
                void pointwiseBackward(PointwiseOp op, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
                                       float[] dx, int dxOff, int n);

                /** {@code dx = dy * op'}. */
                void pointwiseBackward(PointwiseOp op, double[] x, int xOff, double[] y, int yOff, double[] dy,
                                       int dyOff, double[] dx, int dxOff, int n);
            }
            """;

    /** The contract's methods, delegating to the static loops ({@code floats} and {@code doubles} name their classes). */
    static String contract(String floats, String doubles) {
        return """

                    @Override
                    public void pointwise(PointwiseOp op, float[] x, int xOff, float[] y, int yOff, int n) {
                        F.forward(op, x, xOff, y, yOff, n);
                    }

                    @Override
                    public void pointwise(PointwiseOp op, double[] x, int xOff, double[] y, int yOff, int n) {
                        D.forward(op, x, xOff, y, yOff, n);
                    }

                    @Override
                    public void pointwiseBackward(PointwiseOp op, float[] x, int xOff, float[] y, int yOff, float[] dy,
                                                  int dyOff, float[] dx, int dxOff, int n) {
                        F.backward(op, x, xOff, y, yOff, dy, dyOff, dx, dxOff, n);
                    }

                    @Override
                    public void pointwiseBackward(PointwiseOp op, double[] x, int xOff, double[] y, int yOff, double[] dy,
                                                  int dyOff, double[] dx, int dxOff, int n) {
                        D.backward(op, x, xOff, y, yOff, dy, dyOff, dx, dxOff, n);
                    }
                """.replace("F.", floats + ".").replace("D.", doubles + ".");
    }

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
            parts.add(s.target() + " = " + Expressions.text(s.expr()));
        }
        return String.join("; ", parts).replace("*/", "* /");
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
                import dev.lanes.kernel.internal.PointwiseKernels;
                import dev.lanes.kernel.internal.PointwiseOp;

                /**
                 * The pointwise operations as plain loops: the reference for the vector provider (same
                 * bits in single precision) and the double-precision path of both providers.
                 */
                public final class ScalarPointwise implements PointwiseKernels {

                    /** The single instance. */
                    public static final ScalarPointwise INSTANCE = new ScalarPointwise();

                    private ScalarPointwise() {
                    }
                """);
        b.append(contract("ScalarPointwise", "ScalarPointwise")).append('\n');
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
                            .append(Expressions.scalar(s.expr(), type, v -> "v_" + v)).append(";\n");
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
                            .append(Expressions.scalar(s.expr(), type, v -> "v_" + v)).append(";\n");
                }
                b.append("            dx[dxOff + i] = v_dx;\n        }\n    }\n\n");
            }
        }
        b.setLength(b.length() - 1);
        b.append("}\n");
        return b.toString();
    }

    static String vector(List<Op> ops) {
        Map<String, String> constants = new LinkedHashMap<>();
        StringBuilder methods = new StringBuilder();
        for (Op op : ops) {
            Expressions.VectorBody f = new Expressions.VectorBody(constants, "            ");
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
            Expressions.VectorBody g = new Expressions.VectorBody(constants, "            ");
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
                import dev.lanes.kernel.internal.PointwiseKernels;
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
                final class VectorPointwise implements PointwiseKernels {

                    static final VectorPointwise INSTANCE = new VectorPointwise();

                    private static final VectorSpecies<Float> S = VectorMath.S;
                    private static final int L = S.length();
                """);
        for (Map.Entry<String, String> c : constants.entrySet()) {
            b.append("    private static final FloatVector ").append(c.getValue())
                    .append(" = FloatVector.broadcast(S, ").append(c.getKey()).append(");\n");
        }
        b.append("""

                    private VectorPointwise() {
                    }
                """);
        b.append(contract("VectorPointwise", "ScalarPointwise"));
        b.append("""

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
