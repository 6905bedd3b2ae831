import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Generates the fused kernels from their declarations (src/main/ops/fused.ops; the format is
 * described there): per family the kernel interface, the scalar provider's float and double
 * loops, the vector provider's loops and optionally the checking facade. Run by the build
 * (generate-sources):
 *
 * <pre>java tools/codegen/FusedKernelGenerator.java src/main/ops/fused.ops target/generated-sources/fused</pre>
 *
 * <p>The vector loops evaluate each statement's operations in the written order with the
 * functions spelled out inline ({@link Expressions}), and finish each loop's last
 * {@code n mod L} columns with the scalar loop, so both providers give the same bits.
 */
public final class FusedKernelGenerator {

    /**
     * An array argument: {@code blocks} blocks of the row width per row, or one row for the whole
     * batch ({@code shared}), or one value per row ({@code perRow}); a {@code scratch} array is no
     * argument but a thread-local row the kernel owns.
     */
    record Array(String name, int blocks, boolean shared, boolean optional, String inplace, boolean perRow,
                 boolean scratch) {
    }

    sealed interface Node permits Assign, Store, If, RowValue {
    }

    /**
     * A value of the whole row, computed between two column loops: {@code rowsum(...)} (a declared
     * sum term, in the fixed order), {@code rowmax(array)}, or a plain expression of earlier row
     * values and parameters ({@code row name = ...}). Always a stage of its own.
     */
    record RowValue(String target, String kind, Expressions.Expr expr) implements Node {
    }

    record Assign(String target, Expressions.Expr expr) implements Node {
    }

    record Store(String array, int block, Expressions.Expr expr) implements Node {
    }

    record If(String condition, List<Node> then, List<Node> otherwise) implements Node {
    }

    record Kernel(String name, List<String> doc, List<Array> arrays, List<String> params, Set<String> doubleParams,
                  List<String> flags, List<String> clears, List<List<Node>> stages) {
        /** The row values computed before stage {@code s}, in order. */
        List<String> rowValuesBefore(int s) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < s; i++) {
                if (stages.get(i).get(0) instanceof RowValue r && !r.kind().equals("store")) {
                    out.add(r.target());
                }
            }
            return out;
        }

        /** A parameter's Java type in a kernel of precision {@code type}. */
        String paramType(String param, String type) {
            return doubleParams.contains(param) ? "double" : type;
        }

        Array array(String n) {
            for (Array a : arrays) {
                if (a.name().equals(n)) {
                    return a;
                }
            }
            return null;
        }
    }

    record Family(String name, String iface, boolean rows, boolean span, boolean facade, int vectorBelow,
                  String outer, String inner, List<String> doc, List<Kernel> kernels) {
        /** Whether each array comes with its own offset. */
        boolean offsets() {
            return rows || span;
        }
    }

    /** A term of the fixed-order sums: statements over x, y and center, the last assigning {@code term}. */
    record SumTerm(String constant, List<Assign> body) {
        boolean plain() {
            for (Assign a : body) {
                if (hasCall(a.expr())) {
                    return false;
                }
            }
            return true;
        }

        static boolean hasCall(Expressions.Expr e) {
            return switch (e) {
                case Expressions.Call c -> true;
                case Expressions.Neg n -> hasCall(n.e());
                case Expressions.Bin b -> hasCall(b.a()) || hasCall(b.b());
                default -> false;
            };
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java FusedKernelGenerator.java <fused.ops> <output directory>");
            System.exit(2);
        }
        Path out = Path.of(args[1]);
        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of(args[0])));
        List<SumTerm> terms = parseSums(Path.of(args[0]), lines);
        TERMS = terms;
        if (!terms.isEmpty()) {
            PointwiseGenerator.write(out.resolve("dev/lanes/kernel/internal/SumTerm.java"), sumEnum(terms));
            PointwiseGenerator.write(out.resolve("dev/lanes/kernel/internal/SumKernels.java"), SUM_KERNELS);
            PointwiseGenerator.write(out.resolve("dev/lanes/kernel/scalar/ScalarSums.java"), scalarSums(terms));
            PointwiseGenerator.write(out.resolve("dev/lanes/kernel/vector/VectorSums.java"), vectorSums(terms));
        }
        for (Family f : parse(Path.of(args[0]), lines)) {
            PointwiseGenerator.write(out.resolve("dev/lanes/kernel/internal/" + f.iface() + ".java"), iface(f));
            PointwiseGenerator.write(out.resolve("dev/lanes/kernel/scalar/Scalar" + f.name() + ".java"), scalar(f));
            PointwiseGenerator.write(out.resolve("dev/lanes/kernel/vector/Vector" + f.name() + ".java"), vector(f));
            if (f.facade()) {
                PointwiseGenerator.write(out.resolve("dev/lanes/kernel/internal/" + f.name() + ".java"), facade(f));
            }
        }
    }

    // ------------------------------------------------------------------------------ parsing

    /**
     * Takes the {@code sum} blocks out of {@code lines} (blanking them, so line numbers stay) and
     * returns them.
     */
    static List<SumTerm> parseSums(Path file, List<String> lines) {
        List<SumTerm> terms = new ArrayList<>();
        for (int ln = 0; ln < lines.size(); ln++) {
            String line = lines.get(ln).strip();
            if (!line.matches("sum +[A-Z][A-Z0-9_]*")) {
                continue;
            }
            String where = file + ":" + (ln + 1) + ": ";
            String constant = line.substring(4).strip();
            List<Assign> body = new ArrayList<>();
            Set<String> defined = new LinkedHashSet<>(List.of("x", "y", "center"));
            lines.set(ln, "");
            for (ln++; ; ln++) {
                if (ln == lines.size()) {
                    throw new IllegalArgumentException(where + "sum " + constant + " has no 'end'");
                }
                String st = lines.get(ln).strip();
                lines.set(ln, "");
                if (st.equals("end")) {
                    break;
                }
                if (st.isEmpty() || st.startsWith("#")) {
                    continue;
                }
                int eq = st.indexOf('=');
                String target = st.substring(0, Math.max(eq, 0)).strip();
                if (eq < 0 || !target.matches("[a-z][a-zA-Z0-9]*")) {
                    throw new IllegalArgumentException(file + ":" + (ln + 1) + ": expected <name> = <expression>");
                }
                Assign a = new Assign(target, new Expressions.Parser(st.substring(eq + 1), where).parse());
                Set<String> names = new LinkedHashSet<>();
                Expressions.names(a.expr(), names);
                names.removeAll(defined);
                if (!names.isEmpty()) {
                    throw new IllegalArgumentException(where + "sum " + constant + ": " + names + " not defined");
                }
                defined.add(target);
                body.add(a);
            }
            if (body.isEmpty() || !body.get(body.size() - 1).target().equals("term")) {
                throw new IllegalArgumentException(where + "sum " + constant + " must end by assigning term");
            }
            terms.add(new SumTerm(constant, body));
        }
        return terms;
    }

    static List<Family> parse(Path file, List<String> lines) {
        List<Family> families = new ArrayList<>();
        String fName = null, fIface = null;
        boolean fRows = false, fSpan = false, fFacade = false;
        int fBelow = 0;
        String fOuter = "batch", fInner = "hidden";
        List<String> fDoc = null;
        List<Kernel> kernels = null;
        String kName = null;
        List<String> kDoc = null, params = null, flags = null, clears = null;
        Set<String> doubleParams = null;
        List<Array> arrays = null;
        List<List<Node>> stages = null;
        Deque<List<Node>> open = new ArrayDeque<>(); // innermost statement list first
        Deque<If> ifs = new ArrayDeque<>();
        for (int ln = 0; ln <= lines.size(); ln++) {
            String line = ln < lines.size() ? lines.get(ln).strip() : "family";
            String where = file + ":" + (ln + 1) + ": ";
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] w = line.split("\\s+");
            if (w[0].equals("family")) {
                if (kName != null) {
                    throw new IllegalArgumentException(where + "kernel " + kName + " has no 'end'");
                }
                if (fName != null) {
                    families.add(new Family(fName, fIface, fRows, fSpan, fFacade, fBelow, fOuter, fInner, fDoc,
                            kernels));
                }
                if (ln == lines.size()) {
                    break;
                }
                fName = w[1];
                fIface = null;
                fRows = false;
                fSpan = false;
                fFacade = false;
                fBelow = 0;
                fOuter = "batch";
                fInner = "hidden";
                fDoc = new ArrayList<>();
                kernels = new ArrayList<>();
                for (int i = 2; i < w.length; i++) {
                    String[] kv = w[i].split("=", 2);
                    switch (kv[0]) {
                        case "interface" -> fIface = kv[1];
                        case "layout" -> {
                            if (!List.of("rows", "flat", "span").contains(kv[1])) {
                                throw new IllegalArgumentException(where + "layout is rows, flat or span");
                            }
                            fRows = kv[1].equals("rows");
                            fSpan = kv[1].equals("span");
                        }
                        case "facade" -> fFacade = true;
                        case "vectorBelow" -> fBelow = Integer.parseInt(kv[1]);
                        case "dims" -> {
                            String[] d = kv[1].split(",");
                            fOuter = d[0];
                            fInner = d[1];
                        }
                        default -> throw new IllegalArgumentException(where + "unknown attribute " + kv[0]);
                    }
                }
                if (fIface == null) {
                    throw new IllegalArgumentException(where + "a family needs interface=");
                }
                if (fBelow > 0 && fRows) {
                    throw new IllegalArgumentException(where + "vectorBelow needs layout=flat or span");
                }
                if (fFacade && (!fRows || !fOuter.equals("batch"))) {
                    throw new IllegalArgumentException(where + "only a rows family with the default dims has a facade");
                }
            } else if (fName == null) {
                throw new IllegalArgumentException(where + "expected 'family'");
            } else if (w[0].equals("doc")) {
                (kName == null ? fDoc : kDoc).add(line.substring(3).strip());
            } else if (w[0].equals("kernel")) {
                if (kName != null) {
                    throw new IllegalArgumentException(where + "'kernel' before the previous kernel's 'end'");
                }
                kName = w[1];
                kDoc = new ArrayList<>();
                arrays = new ArrayList<>();
                params = new ArrayList<>();
                doubleParams = new LinkedHashSet<>();
                flags = new ArrayList<>();
                clears = new ArrayList<>();
                stages = null;
            } else if (kName == null) {
                throw new IllegalArgumentException(where + "'" + w[0] + "' outside a kernel");
            } else if (w[0].equals("array")) {
                int blocks = 1;
                boolean shared = false, optional = false, perRow = false, scratch = false;
                String inplace = null;
                for (int i = 2; i < w.length; i++) {
                    String[] kv = w[i].split("=", 2);
                    switch (kv[0]) {
                        case "blocks" -> blocks = Integer.parseInt(kv[1]);
                        case "shared" -> shared = true;
                        case "optional" -> optional = true;
                        case "inplace" -> inplace = kv[1];
                        case "perrow" -> perRow = true;
                        case "scratch" -> scratch = true;
                        default -> throw new IllegalArgumentException(where + "unknown attribute " + kv[0]);
                    }
                }
                if (!fRows && (blocks != 1 || shared || inplace != null || perRow || scratch)) {
                    throw new IllegalArgumentException(where + "blocks, shared, inplace, perrow and scratch need layout=rows");
                }
                arrays.add(new Array(w[1], blocks, shared, optional, inplace, perRow, scratch));
            } else if (w[0].equals("clear")) {
                clears.addAll(List.of(w).subList(1, w.length));
            } else if (w[0].equals("param")) {
                for (String name : List.of(w).subList(1, w.length)) {
                    if (name.endsWith(":double")) {
                        name = name.substring(0, name.length() - 7);
                        doubleParams.add(name);
                    }
                    params.add(name);
                }
            } else if (w[0].equals("flag")) {
                flags.addAll(List.of(w).subList(1, w.length));
            } else if (w[0].equals("body")) {
                stages = new ArrayList<>();
                stages.add(new ArrayList<>());
                open.clear();
                open.push(stages.get(0));
            } else if (stages == null) {
                throw new IllegalArgumentException(where + "a statement before 'body'");
            } else if (w[0].equals("stage")) {
                if (!ifs.isEmpty()) {
                    throw new IllegalArgumentException(where + "'stage' inside an 'if'");
                }
                stages.add(new ArrayList<>());
                open.clear();
                open.push(stages.get(stages.size() - 1));
            } else if (w[0].equals("if")) {
                If node = new If(line.substring(2).strip(), new ArrayList<>(), new ArrayList<>());
                open.peek().add(node);
                ifs.push(node);
                open.push(node.then());
            } else if (w[0].equals("else")) {
                if (ifs.isEmpty() || open.peek() != ifs.peek().then()) {
                    throw new IllegalArgumentException(where + "'else' without 'if'");
                }
                open.pop();
                open.push(ifs.peek().otherwise());
            } else if (w[0].equals("end")) {
                if (!ifs.isEmpty()) {
                    ifs.pop();
                    open.pop();
                } else {
                    stages.removeIf(List::isEmpty);
                    INNER_NAME = fInner;
                    Kernel k = new Kernel(kName, kDoc, arrays, params, doubleParams, flags, clears, stages);
                    check(where, k);
                    kernels.add(k);
                    kName = null;
                    stages = null;
                }
            } else if (line.startsWith("row ") || line.startsWith("rowd ")
                    || line.matches("[a-z][a-zA-Z0-9]* *= *row(sum|max)\\(.*")) {
                if (!ifs.isEmpty()) {
                    throw new IllegalArgumentException(where + "a row value inside an 'if'");
                }
                boolean keyword = line.startsWith("row ") || line.startsWith("rowd ");
                String st = keyword ? line.substring(line.indexOf(' ') + 1) : line;
                int eq = st.indexOf('=');
                boolean store = st.charAt(eq - 1) == ':';
                String target = st.substring(0, store ? eq - 1 : eq).strip();
                String rhs = st.substring(eq + 1).strip();
                String kind = store ? "store" : line.startsWith("rowd ") ? "dvalue" : "value";
                if (!keyword) {
                    kind = rhs.substring(3, 6);
                    rhs = rhs.substring(7, rhs.length() - 1);
                }
                RowValue node = new RowValue(target, kind, new Expressions.Parser(rhs, where).parse());
                if (!open.peek().isEmpty()) {
                    stages.add(new ArrayList<>());
                }
                stages.get(stages.size() - 1).add(node);
                stages.add(new ArrayList<>());
                open.clear();
                open.push(stages.get(stages.size() - 1));
            } else {
                int eq = line.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException(where + "expected <name> = <expression> or <array> := <expression>");
                }
                boolean store = line.charAt(eq - 1) == ':';
                String target = line.substring(0, store ? eq - 1 : eq).strip();
                Expressions.Expr e = new Expressions.Parser(line.substring(eq + 1), where).parse();
                if (store) {
                    String[] ab = target.split("\\.");
                    open.peek().add(new Store(ab[0], ab.length > 1 ? Integer.parseInt(ab[1]) : 0, e));
                } else {
                    if (!target.matches("[a-z][a-zA-Z0-9]*")) {
                        throw new IllegalArgumentException(where + "bad variable name '" + target + "'");
                    }
                    open.peek().add(new Assign(target, e));
                }
            }
        }
        return families;
    }

    /** The row width's name in the family being checked (row expressions may read it). */
    static String INNER_NAME = "hidden";

    /** Names resolve to arrays (with a block in range), parameters or locals assigned before. */
    static void check(String where, Kernel k) {
        for (Array a : k.arrays()) {
            if (a.inplace() != null) {
                Array b = k.array(a.inplace());
                if (b == null || b.blocks() != a.blocks() || b.shared() != a.shared()) {
                    throw new IllegalArgumentException(where + k.name() + ": inplace partner " + a.inplace()
                            + " must be an array of the same size");
                }
            }
        }
        Set<String> rowValues = new LinkedHashSet<>();
        for (String c : k.clears()) {
            Array a = k.array(c);
            if (a == null || !a.shared()) {
                throw new IllegalArgumentException(where + k.name() + ": clear takes a shared array, got " + c);
            }
        }
        for (List<Node> stage : k.stages()) {
            if (stage.get(0) instanceof RowValue r) {
                Set<String> visible = new LinkedHashSet<>(rowValues);
                visible.add(INNER_NAME);
                checkExpr(where + k.name() + ": ", k, r.expr(), visible);
                if (r.kind().equals("store")) {
                    Array a = k.array(r.target());
                    if (a == null || !a.perRow()) {
                        throw new IllegalArgumentException(where + k.name() + ": 'row " + r.target()
                                + " :=' needs a perrow array");
                    }
                } else {
                    rowValues.add(r.target());
                }
            } else {
                checkNodes(where + k.name() + ": ", k, stage, new LinkedHashSet<>(rowValues));
            }
        }
    }

    static void checkNodes(String where, Kernel k, List<Node> nodes, Set<String> locals) {
        for (Node n : nodes) {
            switch (n) {
                case Assign a -> {
                    checkLoopExpr(where, k, a.expr(), locals);
                    if (k.array(a.target()) != null || k.params().contains(a.target())) {
                        throw new IllegalArgumentException(where + "'" + a.target() + "' is an array or parameter");
                    }
                    locals.add(a.target());
                }
                case Store s -> {
                    checkLoopExpr(where, k, s.expr(), locals);
                    Array a = k.array(s.array());
                    if (a == null || s.block() >= a.blocks()) {
                        throw new IllegalArgumentException(where + "no array block " + s.array() + "." + s.block());
                    }
                    if (a.perRow()) {
                        throw new IllegalArgumentException(where + s.array() + " is perrow: store it with 'row "
                                + s.array() + " :='");
                    }
                }
                case RowValue r -> throw new IllegalArgumentException(where + "a row value inside a loop");
                case If i -> {
                    Set<String> then = new LinkedHashSet<>(locals);
                    checkNodes(where, k, i.then(), then);
                    Set<String> otherwise = new LinkedHashSet<>(locals);
                    checkNodes(where, k, i.otherwise(), otherwise);
                    then.retainAll(otherwise); // assigned on both paths
                    locals.addAll(then);
                }
            }
        }
    }

    /** {@link #checkExpr} for a column loop, where a perrow array has no column to read. */
    static void checkLoopExpr(String where, Kernel k, Expressions.Expr e, Set<String> locals) {
        checkExpr(where, k, e, locals);
        Set<String> names = new LinkedHashSet<>();
        Expressions.names(e, names);
        for (String name : names) {
            Array a = k.array(name.split("\\.")[0]);
            if (a != null && a.perRow()) {
                throw new IllegalArgumentException(where + name + " is perrow: read it in a row statement");
            }
        }
    }

    static void checkExpr(String where, Kernel k, Expressions.Expr e, Set<String> locals) {
        Set<String> names = new LinkedHashSet<>();
        Expressions.names(e, names);
        for (String name : names) {
            String[] ab = name.split("\\.");
            Array a = k.array(ab[0]);
            if (a != null) {
                if (ab.length > 1 && Integer.parseInt(ab[1]) >= a.blocks()) {
                    throw new IllegalArgumentException(where + "no array block " + name);
                }
            } else if (!k.params().contains(name) && !locals.contains(name)) {
                throw new IllegalArgumentException(where + "'" + name + "' is not defined here");
            }
        }
    }

    // ------------------------------------------------------------------------------ signatures

    static final String HEADER = "// Generated by tools/codegen/FusedKernelGenerator.java from src/main/ops/fused.ops.\n"
            + "// Do not edit: change the declaration or the generator.\n";

    /** The interface method's parameters, typed. */
    static String signature(Family f, Kernel k, String type) {
        List<String> p = new ArrayList<>();
        if (f.rows()) {
            p.add("int " + f.outer());
            p.add("int " + f.inner());
        }
        for (Array a : k.arrays()) {
            if (a.scratch()) {
                continue;
            }
            p.add(type + "[] " + a.name());
            if (f.offsets()) {
                p.add("int " + a.name() + "Off");
            }
        }
        if (!f.rows()) {
            p.add("int n");
        }
        k.params().forEach(s -> p.add(k.paramType(s, type) + " " + s));
        k.flags().forEach(s -> p.add("boolean " + s));
        return String.join(", ", p);
    }

    /** The interface method's parameter names. */
    static String arguments(Family f, Kernel k) {
        return signature(f, k, "T").replaceAll("(T\\[\\]|int|T|double|boolean) ", "");
    }

    /** The parameter types, for javadoc links. */
    static String types(Family f, Kernel k, String type) {
        return signature(f, k, type).replaceAll(" [A-Za-z0-9]+(,|$)", "$1");
    }

    /** A part method's parameters: the column range, each array with its row base, the scalars. */
    static String partSignature(Family f, Kernel k, int stage, String type) {
        List<String> p = new ArrayList<>();
        p.add(f.rows() ? "int " + f.inner() + ", int from" : "int from, int n");
        for (Array a : k.arrays()) {
            p.add(type + "[] " + a.name());
            if (f.offsets()) {
                p.add("int " + a.name() + (f.rows() ? "Row" : "Off"));
            }
        }
        k.params().forEach(s -> p.add(k.paramType(s, type) + " " + s));
        k.flags().forEach(s -> p.add("boolean " + s));
        k.rowValuesBefore(stage).forEach(s -> p.add(type + " r_" + s));
        return String.join(", ", p);
    }

    static String partArguments(Family f, Kernel k, int stage, String from) {
        List<String> p = new ArrayList<>();
        p.add(f.rows() ? f.inner() + ", " + from : from + ", n");
        for (Array a : k.arrays()) {
            p.add(a.name());
            if (f.offsets()) {
                p.add(a.name() + (f.rows() ? "Row" : "Off"));
            }
        }
        p.addAll(k.params());
        p.addAll(k.flags());
        k.rowValuesBefore(stage).forEach(s -> p.add("r_" + s));
        return String.join(", ", p);
    }

    static String index(Family f, String array, int block) {
        if (!f.rows()) {
            return f.span() ? array + "Off + i" : "i";
        }
        return rowStart(f, array, block) + " + j";
    }

    /** Where block {@code block} of the current row of {@code array} starts. */
    static String rowStart(Family f, String array, int block) {
        String n = f.inner();
        return array + "Row" + (block == 0 ? "" : block == 1 ? " + " + n : " + " + block + " * " + n);
    }

    /** The row bases of one batch row, one line each. */
    static void rowBases(StringBuilder b, Family f, Kernel k, String indent) {
        int scratch = 0;
        for (Array a : k.arrays()) {
            b.append(indent).append("int ").append(a.name()).append("Row = ");
            if (a.scratch()) {
                b.append(scratch == 0 ? "0" : scratch == 1 ? f.inner() : scratch + " * " + f.inner()).append(";\n");
                scratch += a.blocks();
                continue;
            }
            b.append(a.name()).append("Off");
            if (a.perRow()) {
                b.append(" + row");
            } else if (!a.shared()) {
                b.append(" + row * ").append(a.blocks() == 1 ? "" : a.blocks() + " * ").append(f.inner());
            }
            b.append(";\n");
        }
    }

    /**
     * What a kernel does before its rows: its scratch arrays (one thread-local run holding each
     * array's row in turn) and the clearing of accumulated shared arrays.
     */
    static void prologue(StringBuilder b, Family f, Kernel k, String type, String indent) {
        int rows = 0;
        for (Array a : k.arrays()) {
            rows += a.scratch() ? a.blocks() : 0;
        }
        if (rows > 0) {
            b.append(indent).append(type).append("[] scratch = dev.lanes.kernel.internal.Scratch.")
                    .append(type.equals("float") ? "floats" : "doubles").append("(dev.lanes.kernel.internal.Scratch.FUSED_ROWS, ")
                    .append(rows == 1 ? "" : rows + " * ").append(f.inner()).append(");\n");
            for (Array a : k.arrays()) {
                if (a.scratch()) {
                    b.append(indent).append(type).append("[] ").append(a.name()).append(" = scratch;\n");
                }
            }
        }
        for (String c : k.clears()) {
            Array a = k.array(c);
            String fill = "java.util.Arrays.fill(" + c + ", " + c + "Off, " + c + "Off + "
                    + (a.blocks() == 1 ? "" : a.blocks() + " * ") + f.inner() + ", 0);";
            b.append(indent).append(a.optional() ? "if (" + c + " != null) {\n" + indent + "    " + fill + "\n" + indent + "}"
                    : fill).append('\n');
        }
    }

    static String javadoc(List<String> doc, String indent) {
        StringBuilder b = new StringBuilder(indent).append("/**\n");
        for (String d : doc) {
            b.append(indent).append(" *").append(d.isEmpty() ? "" : " " + d).append('\n');
        }
        return b.append(indent).append(" */\n").toString();
    }

    // ------------------------------------------------------------------------------ row values

    /** The sum terms declared in the file, for matching {@code rowsum(...)} arguments. */
    static List<SumTerm> TERMS = List.of();

    /** One line computing a row value, with the provider's sums ({@code prefix} Scalar or Vector). */
    static String rowValue(Family f, Kernel k, RowValue r, String type, String prefix) {
        String sums = (type.equals("double") ? "ScalarSums" : prefix + "Sums") + ".INSTANCE";
        String zero = type.equals("float") ? "0f" : "0d";
        String head = type + " r_" + r.target() + " = ";
        switch (r.kind()) {
            case "max" -> {
                if (!(r.expr() instanceof Expressions.Var v) || k.array(v.name().split("\\.")[0]) == null) {
                    throw new IllegalArgumentException(k.name() + ": rowmax takes an array, got "
                            + Expressions.text(r.expr()));
                }
                return head + sums + ".max(" + arrayStart(f, v.name()) + ", " + f.inner() + ");";
            }
            case "sum" -> {
                for (SumTerm t : TERMS) {
                    Map<String, Expressions.Expr> bound = new HashMap<>();
                    if (unify(inline(t), r.expr(), bound, k)) {
                        Expressions.Expr x = bound.get("x");
                        Expressions.Expr y = bound.get("y");
                        Expressions.Expr c = bound.get("center");
                        String center = c == null ? zero : Expressions.scalar(c, type, n -> rowName(f, k, n));
                        return head + sums + ".sum(SumTerm." + t.constant() + ", "
                                + arrayStart(f, ((Expressions.Var) x).name()) + ", "
                                + (y == null ? "null, 0" : arrayStart(f, ((Expressions.Var) y).name())) + ", " + center
                                + ", " + f.inner() + ");";
                    }
                }
                throw new IllegalArgumentException(k.name() + ": rowsum(" + Expressions.text(r.expr())
                        + ") is no declared sum term");
            }
            case "dvalue" -> {
                String e = Expressions.scalar(r.expr(), "double", n -> "(double) " + rowName(f, k, n));
                return head + (type.equals("float") ? "(float) (" + e + ");" : e + ";");
            }
            case "store" -> {
                return r.target() + "[" + r.target() + "Row] = "
                        + Expressions.scalar(r.expr(), type, n -> rowName(f, k, n)) + ";";
            }
            default -> {
                return head + Expressions.scalar(r.expr(), type, n -> rowName(f, k, n)) + ";";
            }
        }
    }

    /** A name in a row expression: a parameter, the row width, a per-row array's value, a row value. */
    static String rowName(Family f, Kernel k, String n) {
        Array a = k.array(n);
        if (a != null) {
            if (!a.perRow()) {
                throw new IllegalArgumentException(k.name() + ": a row expression reads " + n + ", not a perrow array");
            }
            return n + "[" + n + "Row]";
        }
        return k.params().contains(n) || n.equals(f.inner()) ? n : "r_" + n;
    }

    /** {@code array, start} of the current row's block named by {@code a} or {@code a.k}. */
    static String arrayStart(Family f, String ref) {
        String[] ab = ref.split("\\.");
        return ab[0] + ", " + rowStart(f, ab[0], ab.length > 1 ? Integer.parseInt(ab[1]) : 0);
    }

    /** The term as one expression over x, y and center (its locals substituted). */
    static Expressions.Expr inline(SumTerm t) {
        Map<String, Expressions.Expr> env = new HashMap<>();
        for (Assign a : t.body()) {
            env.put(a.target(), substitute(a.expr(), env));
        }
        return env.get("term");
    }

    static Expressions.Expr substitute(Expressions.Expr e, Map<String, Expressions.Expr> env) {
        return switch (e) {
            case Expressions.Var v -> env.getOrDefault(v.name(), v);
            case Expressions.Neg n -> new Expressions.Neg(substitute(n.e(), env));
            case Expressions.Bin b -> new Expressions.Bin(b.op(), substitute(b.a(), env), substitute(b.b(), env));
            case Expressions.Call c -> new Expressions.Call(c.fn(), c.args().stream().map(a -> substitute(a, env)).toList());
            case Expressions.Num n -> n;
        };
    }

    /**
     * Whether {@code e} is the term {@code pattern} with x and y bound to array reads and center to a
     * scalar (a parameter, a row value or a constant), the same binding at every occurrence.
     */
    static boolean unify(Expressions.Expr pattern, Expressions.Expr e, Map<String, Expressions.Expr> bound, Kernel k) {
        return switch (pattern) {
            case Expressions.Var v -> {
                boolean array = e instanceof Expressions.Var ev && k.array(ev.name().split("\\.")[0]) != null;
                boolean scalar = e instanceof Expressions.Num || e instanceof Expressions.Var && !array;
                if (v.name().equals("center") ? !scalar : !array) {
                    yield false;
                }
                Expressions.Expr before = bound.putIfAbsent(v.name(), e);
                yield before == null || before.equals(e);
            }
            case Expressions.Num n -> e instanceof Expressions.Num m
                    && Double.parseDouble(n.text()) == Double.parseDouble(m.text());
            case Expressions.Neg n -> e instanceof Expressions.Neg m && unify(n.e(), m.e(), bound, k);
            case Expressions.Bin b -> e instanceof Expressions.Bin c && b.op() == c.op()
                    && unify(b.a(), c.a(), bound, k) && unify(b.b(), c.b(), bound, k);
            case Expressions.Call c -> {
                if (!(e instanceof Expressions.Call d) || !c.fn().equals(d.fn())) {
                    yield false;
                }
                for (int i = 0; i < c.args().size(); i++) {
                    if (!unify(c.args().get(i), d.args().get(i), bound, k)) {
                        yield false;
                    }
                }
                yield true;
            }
        };
    }

    // ------------------------------------------------------------------------------ interface

    static String iface(Family f) {
        StringBuilder b = new StringBuilder(HEADER).append("package dev.lanes.kernel.internal;\n\n");
        List<String> doc = new ArrayList<>(f.doc());
        doc.add("");
        doc.add("<p>" + (f.facade() ? "Callers go through {@link " + f.name() + "}, which validates the arguments; an"
                + " implementation may assume them valid."
                : "Callers pass valid arguments: the implementations do not check them."));
        b.append(javadoc(doc, ""));
        b.append("public interface ").append(f.iface()).append(" {\n");
        for (Kernel k : f.kernels()) {
            b.append('\n').append(javadoc(k.doc(), "    "));
            b.append("    void ").append(k.name()).append("(").append(signature(f, k, "float")).append(");\n\n");
            b.append("    /** {@code ").append(k.name()).append("} in double precision. */\n");
            b.append("    void ").append(k.name()).append("(").append(signature(f, k, "double")).append(");\n");
        }
        return b.append("}\n").toString();
    }

    // ------------------------------------------------------------------------------ scalar

    static String scalar(Family f) {
        String cls = "Scalar" + f.name();
        StringBuilder b = new StringBuilder(HEADER);
        b.append("package dev.lanes.kernel.scalar;\n\n");
        b.append("import dev.lanes.kernel.internal.DoubleMath;\nimport dev.lanes.kernel.internal.FloatMath;\n");
        b.append("import dev.lanes.kernel.internal.").append(f.iface()).append(";\n");
        b.append("import dev.lanes.kernel.internal.SumTerm;\n\n");
        b.append("/**\n * {@link ").append(f.iface()).append("} element by element: the reference for the vector provider\n")
                .append(" * (same bits in single precision) and the double-precision path of both providers. The\n")
                .append(" * {@code ...Part} methods run one loop of a kernel over columns {@code [from, ")
                .append(f.rows() ? f.inner() : "n").append(")}").append(f.rows() ? " of one row,\n * each array from its row's first element" : "")
                .append("; the vector provider finishes its loops with them.\n */\n");
        b.append("@SuppressWarnings(\"unused\")\n");
        b.append("public final class ").append(cls).append(" implements ").append(f.iface()).append(" {\n\n");
        b.append("    /** The single instance. */\n    public static final ").append(cls).append(" INSTANCE = new ")
                .append(cls).append("();\n\n    private ").append(cls).append("() {\n    }\n");
        for (Kernel k : f.kernels()) {
            for (String type : new String[] {"float", "double"}) {
                b.append("\n    @Override\n    public void ").append(k.name()).append("(").append(signature(f, k, type))
                        .append(") {\n");
                String indent = "        ";
                if (f.rows()) {
                    prologue(b, f, k, type, "        ");
                    b.append("        for (int row = 0; row < ").append(f.outer()).append("; row++) {\n");
                    rowBases(b, f, k, "            ");
                    indent = "            ";
                }
                for (int s = 0; s < k.stages().size(); s++) {
                    if (k.stages().get(s).get(0) instanceof RowValue r) {
                        b.append(indent).append(rowValue(f, k, r, type, "Scalar")).append('\n');
                        continue;
                    }
                    b.append(indent).append(k.name()).append("Part").append(s).append("(")
                            .append(partArguments(f, k, s, "0")).append(");\n");
                }
                if (f.rows()) {
                    b.append("        }\n");
                }
                b.append("    }\n");
            }
        }
        for (Kernel k : f.kernels()) {
            for (int s = 0; s < k.stages().size(); s++) {
                if (k.stages().get(s).get(0) instanceof RowValue) {
                    continue;
                }
                for (String type : new String[] {"float", "double"}) {
                    b.append("\n    /** Loop ").append(s).append(" of {@code ").append(k.name()).append("}. */\n");
                    b.append("    public static void ").append(k.name()).append("Part").append(s).append("(")
                            .append(partSignature(f, k, s, type)).append(") {\n");
                    String col = f.rows() ? "j" : "i";
                    b.append("        for (int ").append(col).append(" = from; ").append(col).append(" < ")
                            .append(f.rows() ? f.inner() : "n").append("; ").append(col).append("++) {\n");
                    scalarNodes(b, f, k, s, type, k.stages().get(s), new LinkedHashSet<>(), "            ");
                    b.append("        }\n    }\n");
                }
            }
        }
        return b.append("}\n").toString();
    }

    static void scalarNodes(StringBuilder b, Family f, Kernel k, int stage, String type, List<Node> nodes,
                            Set<String> declared, String indent) {
        List<String> rowValues = k.rowValuesBefore(stage);
        java.util.function.Function<String, String> var = name -> {
            String[] ab = name.split("\\.");
            if (k.array(ab[0]) != null) {
                return ab[0] + "[" + index(f, ab[0], ab.length > 1 ? Integer.parseInt(ab[1]) : 0) + "]";
            }
            return k.params().contains(name) ? name : rowValues.contains(name) ? "r_" + name : "v_" + name;
        };
        for (Node n : nodes) {
            switch (n) {
                case Assign a -> {
                    b.append(indent).append(declared.add(a.target()) ? type + " " : "").append("v_").append(a.target())
                            .append(" = ").append(Expressions.scalar(a.expr(), type, var)).append(";\n");
                }
                case Store s -> b.append(indent).append(s.array()).append("[").append(index(f, s.array(), s.block()))
                        .append("] = ").append(Expressions.scalar(s.expr(), type, var)).append(";\n");
                case RowValue r -> throw new AssertionError(r);
                case If i -> {
                    for (String v : assignedInside(i, declared)) {
                        b.append(indent).append(type).append(" v_").append(v).append(";\n");
                        declared.add(v);
                    }
                    b.append(indent).append("if (").append(i.condition()).append(") {\n");
                    scalarNodes(b, f, k, stage, type, i.then(), new LinkedHashSet<>(declared), indent + "    ");
                    if (!i.otherwise().isEmpty()) {
                        b.append(indent).append("} else {\n");
                        scalarNodes(b, f, k, stage, type, i.otherwise(), new LinkedHashSet<>(declared), indent + "    ");
                    }
                    b.append(indent).append("}\n");
                }
            }
        }
    }

    /**
     * Locals first assigned inside the if (either branch) and still undeclared: declared before it,
     * so a value assigned on both paths is visible after it (javac checks definite assignment).
     */
    static Set<String> assignedInside(If i, Set<String> declared) {
        Set<String> out = new LinkedHashSet<>();
        collectAssigned(i.then(), out);
        collectAssigned(i.otherwise(), out);
        out.removeAll(declared);
        return out;
    }

    static void collectAssigned(List<Node> nodes, Set<String> out) {
        for (Node n : nodes) {
            if (n instanceof Assign a) {
                out.add(a.target());
            } else if (n instanceof If i) {
                collectAssigned(i.then(), out);
                collectAssigned(i.otherwise(), out);
            }
        }
    }

    // ------------------------------------------------------------------------------ vector

    /** A loop body: arrays load where read (kept until a store may change them), params stay scalar. */
    static final class Body extends Expressions.VectorBody {
        private final Family family;
        private final Kernel kernel;
        private Map<String, String> loaded = new HashMap<>();

        private final List<String> rowValues;

        Body(Map<String, String> constants, Family family, Kernel kernel, int stage) {
            super(constants, "                ");
            this.family = family;
            this.kernel = kernel;
            this.rowValues = kernel.rowValuesBefore(stage);
        }

        @Override
        Expressions.Operand var(String name) {
            String[] ab = name.split("\\.");
            if (kernel.array(ab[0]) != null) {
                String key = ab[0] + "." + (ab.length > 1 ? ab[1] : "0");
                String t = loaded.get(key);
                if (t == null) {
                    t = fresh("l");
                    line("FloatVector " + t + " = FloatVector.fromArray(S, " + ab[0] + ", "
                            + index(family, ab[0], ab.length > 1 ? Integer.parseInt(ab[1]) : 0) + ");");
                    loaded.put(key, t);
                }
                return new Expressions.Operand(t, false);
            }
            if (rowValues.contains(name)) {
                return new Expressions.Operand("r_" + name, true);
            }
            return kernel.params().contains(name) ? new Expressions.Operand(name, true) : super.var(name);
        }

        /**
         * A store makes earlier loads of that array and of its in-place partner stale; in a family
         * without declared partners (span, flat) any array may be the output, so all of them.
         */
        void stored(String array) {
            if (!family.rows()) {
                loaded.clear();
                return;
            }
            Array a = kernel.array(array);
            loaded.keySet().removeIf(key -> {
                String name = key.substring(0, key.indexOf('.'));
                Array other = kernel.array(name);
                return name.equals(array) || name.equals(a.inplace()) || array.equals(other.inplace());
            });
        }

        void nodes(List<Node> nodes, Set<String> declared) {
            for (Node n : nodes) {
                switch (n) {
                    case Assign a -> {
                        String r = emit(a.expr());
                        line((declared.add(a.target()) ? "FloatVector " : "") + "v_" + a.target() + " = " + r + ";");
                    }
                    case Store s -> {
                        String r = emit(s.expr());
                        line(r + ".intoArray(" + s.array() + ", " + index(family, s.array(), s.block()) + ");");
                        stored(s.array());
                    }
                    case RowValue r -> throw new AssertionError(r);
                    case If i -> {
                        for (String v : assignedInside(i, declared)) {
                            line("FloatVector v_" + v + ";");
                            declared.add(v);
                        }
                        Map<String, String> before = loaded;
                        Set<String> stores = new LinkedHashSet<>();
                        collectStores(i.then(), stores);
                        collectStores(i.otherwise(), stores);
                        line("if (" + i.condition() + ") {");
                        nest(1);
                        loaded = new HashMap<>(before);
                        nodes(i.then(), new LinkedHashSet<>(declared));
                        nest(-1);
                        if (!i.otherwise().isEmpty()) {
                            line("} else {");
                            nest(1);
                            loaded = new HashMap<>(before);
                            nodes(i.otherwise(), new LinkedHashSet<>(declared));
                            nest(-1);
                        }
                        line("}");
                        // Loads inside a branch are not available after it; stores inside it may
                        // have changed what was loaded before it.
                        loaded = before;
                        stores.forEach(this::stored);
                    }
                }
            }
        }

        static void collectStores(List<Node> nodes, Set<String> out) {
            for (Node n : nodes) {
                if (n instanceof Store s) {
                    out.add(s.array());
                } else if (n instanceof If i) {
                    collectStores(i.then(), out);
                    collectStores(i.otherwise(), out);
                }
            }
        }
    }

    static String vector(Family f) {
        String cls = "Vector" + f.name();
        String scalar = "Scalar" + f.name();
        Map<String, String> constants = new LinkedHashMap<>();
        StringBuilder methods = new StringBuilder();
        for (Kernel k : f.kernels()) {
            methods.append("\n    @Override\n    public void ").append(k.name()).append("(")
                    .append(signature(f, k, "float")).append(") {\n");
            String indent = "        ";
            String col = f.rows() ? "j" : "i";
            String end = f.rows() ? f.inner() : "n";
            if (f.rows()) {
                prologue(methods, f, k, "float", "        ");
                methods.append("        for (int row = 0; row < ").append(f.outer()).append("; row++) {\n");
                rowBases(methods, f, k, "            ");
                indent = "            ";
            }
            boolean declaredCol = false;
            for (int s = 0; s < k.stages().size(); s++) {
                if (k.stages().get(s).get(0) instanceof RowValue r) {
                    methods.append(indent).append(rowValue(f, k, r, "float", "Vector")).append('\n');
                    continue;
                }
                methods.append(indent).append(declaredCol ? "" : "int ").append(col).append(" = 0;\n");
                declaredCol = true;
                String guard = f.vectorBelow() > 0 ? "n < VECTOR_BELOW" : null;
                if (guard != null) {
                    methods.append(indent).append("if (").append(guard).append(") {\n");
                }
                String in = guard != null ? indent + "    " : indent;
                Body body = new Body(constants, f, k, s);
                body.nest((in.length() + 4 - 16) / 4);
                body.nodes(k.stages().get(s), new LinkedHashSet<>());
                methods.append(in).append("for (; ").append(col).append(" <= ").append(end).append(" - L; ")
                        .append(col).append(" += L) {\n").append(body.lines).append(in).append("}\n");
                if (guard != null) {
                    methods.append(indent).append("}\n");
                }
                methods.append(indent).append(scalar).append('.').append(k.name()).append("Part").append(s)
                        .append("(").append(partArguments(f, k, s, col)).append(");\n");
            }
            if (f.rows()) {
                methods.append("        }\n");
            }
            methods.append("    }\n");
            methods.append("\n    @Override\n    public void ").append(k.name()).append("(")
                    .append(signature(f, k, "double")).append(") {\n        SCALAR.").append(k.name()).append("(")
                    .append(arguments(f, k)).append(");\n    }\n");
        }
        StringBuilder b = new StringBuilder(HEADER);
        b.append("package dev.lanes.kernel.vector;\n\n");
        b.append("import dev.lanes.kernel.internal.DoubleMath;\n");
        b.append("import dev.lanes.kernel.internal.FloatMath;\n");
        b.append("import dev.lanes.kernel.internal.").append(f.iface()).append(";\n");
        b.append("import dev.lanes.kernel.internal.SumTerm;\n");
        b.append("import dev.lanes.kernel.scalar.").append(scalar).append(";\n");
        b.append("import dev.lanes.kernel.scalar.ScalarSums;\n");
        b.append("import jdk.incubator.vector.FloatVector;\nimport jdk.incubator.vector.IntVector;\n"
                + "import jdk.incubator.vector.VectorMask;\nimport jdk.incubator.vector.VectorOperators;\n"
                + "import jdk.incubator.vector.VectorSpecies;\n\n");
        b.append("/**\n * {@link ").append(f.iface()).append("} on whole vectors of the preferred species: the operations of\n")
                .append(" * {@link ").append(scalar).append("} in the same order, whose loops finish the last\n")
                .append(" * {@code n mod L} columns").append(f.vectorBelow() > 0
                        ? " (and run whole kernels of VECTOR_BELOW elements or more, see fused.ops)" : "")
                .append(". Double precision is the scalar code.\n */\n");
        b.append("@SuppressWarnings(\"unused\")\nfinal class ").append(cls).append(" implements ").append(f.iface())
                .append(" {\n\n    static final ").append(cls).append(" INSTANCE = new ").append(cls).append("();\n\n");
        b.append("    private static final VectorSpecies<Float> S = VectorMath.S;\n    private static final int L = S.length();\n");
        b.append("    private static final ").append(scalar).append(" SCALAR = ").append(scalar).append(".INSTANCE;\n");
        if (f.vectorBelow() > 0) {
            b.append("    private static final int VECTOR_BELOW = ").append(f.vectorBelow()).append(";\n");
        }
        for (Map.Entry<String, String> c : constants.entrySet()) {
            b.append("    private static final FloatVector ").append(c.getValue()).append(" = FloatVector.broadcast(S, ")
                    .append(c.getKey()).append(");\n");
        }
        b.append("\n    private ").append(cls).append("() {\n    }\n").append(methods).append("}\n");
        return b.toString();
    }

    // ------------------------------------------------------------------------------ facade

    static String facade(Family f) {
        for (Kernel k : f.kernels()) {
            for (Array a : k.arrays()) {
                if (a.scratch() || a.perRow()) {
                    throw new IllegalArgumentException(f.name() + "." + k.name() + ": a facade checks no perrow or"
                            + " scratch array (" + a.name() + ")");
                }
            }
            if (!k.clears().isEmpty()) {
                throw new IllegalArgumentException(f.name() + "." + k.name() + ": a facade does not clear arrays");
            }
        }
        StringBuilder b = new StringBuilder(HEADER);
        b.append("package dev.lanes.kernel.internal;\n\n");
        b.append("import static dev.lanes.kernel.internal.ArrayChecks.disjointRanges;\n"
                + "import static dev.lanes.kernel.internal.ArrayChecks.inPlaceOrDisjoint;\n"
                + "import static dev.lanes.kernel.internal.ArrayChecks.nonNull;\n"
                + "import static dev.lanes.kernel.internal.ArrayChecks.range;\n\n"
                + "import java.lang.reflect.Array;\n\n");
        List<String> doc = new ArrayList<>(f.doc());
        doc.add("");
        doc.add("<p>Checks, with an {@link IllegalArgumentException} naming the op, the argument, its range and");
        doc.add("the array length (a {@link NullPointerException} for a null array): arrays are non-null");
        doc.add("(except optional ones, whose offset is then ignored), offsets are non-negative and each range");
        doc.add("lies inside its array. No two argument ranges share an element, inputs included, except a");
        doc.add("state updated in place (see each kernel), which may be exactly the same range of the same");
        doc.add("array; a partial overlap of such a pair is rejected too. Ranges in the same array that only");
        doc.add("touch are fine. The kernels are {@link " + f.iface() + "}'s.");
        b.append(javadoc(doc, ""));
        String accessor = Character.toLowerCase(f.name().charAt(0)) + f.name().substring(1);
        b.append("public final class ").append(f.name()).append(" {\n\n    private ").append(f.name())
                .append("() {\n    }\n\n    private static ").append(f.iface()).append(" kernels() {\n")
                .append("        return Providers.provider().").append(accessor).append("();\n    }\n");
        for (Kernel k : f.kernels()) {
            for (String type : new String[] {"float", "double"}) {
                b.append("\n    /** {@link ").append(f.iface()).append("#").append(k.name()).append("(")
                        .append(types(f, k, type)).append(")}, checked. */\n");
                b.append("    public static void ").append(k.name()).append("(").append(signature(f, k, type))
                        .append(") {\n");
                b.append("        check").append(Character.toUpperCase(k.name().charAt(0))).append(k.name().substring(1))
                        .append("(").append(checkArguments(k)).append(");\n");
                b.append("        kernels().").append(k.name()).append("(").append(arguments(f, k)).append(");\n    }\n");
            }
        }
        int maxBlocks = 1;
        for (Kernel k : f.kernels()) {
            for (Array a : k.arrays()) {
                maxBlocks = Math.max(maxBlocks, a.blocks());
            }
        }
        b.append("\n    private static void sizes(String op, int batch, int hidden) {\n"
                + "        if (batch < 0 || hidden < 0 || (long) batch * " + maxBlocks + " * hidden > Integer.MAX_VALUE\n"
                + "                || " + maxBlocks + "L * hidden > Integer.MAX_VALUE) {\n"
                + "            throw new IllegalArgumentException(op + \": invalid batch=\" + batch + \", hidden=\" + hidden);\n"
                + "        }\n    }\n\n"
                + "    /** {@code a} is non-null and {@code [off, off + n)} lies inside it. */\n"
                + "    private static void fits(String op, String name, Object a, int off, int n) {\n"
                + "        nonNull(op, name, a);\n        range(op, name, Array.getLength(a), off, n);\n    }\n");
        b.append("\n    // Each check lists every pair of arguments once (no allocation per call).\n");
        for (Kernel k : f.kernels()) {
            List<String> p = new ArrayList<>(List.of("int batch", "int hidden"));
            for (Array a : k.arrays()) {
                p.add("Object " + a.name());
                p.add("int " + a.name() + "Off");
            }
            b.append("\n    private static void check").append(Character.toUpperCase(k.name().charAt(0)))
                    .append(k.name().substring(1)).append("(").append(String.join(", ", p)).append(") {\n");
            b.append("        String op = \"").append(k.name()).append("\";\n        sizes(op, batch, hidden);\n");
            for (Array a : k.arrays()) {
                String line = "fits(op, \"" + a.name() + "\", " + a.name() + ", " + a.name() + "Off, " + size(a) + ");";
                b.append(a.optional() ? "        if (" + a.name() + " != null) {\n            " + line + "\n        }\n"
                        : "        " + line + "\n");
            }
            List<Array> as = k.arrays();
            for (int x = 0; x < as.size(); x++) {
                for (int y = x + 1; y < as.size(); y++) {
                    Array a = as.get(x), c = as.get(y);
                    String line;
                    if (a.name().equals(c.inplace()) || c.name().equals(a.inplace())) {
                        line = "inPlaceOrDisjoint(op, \"" + a.name() + "\", " + a.name() + ", " + a.name() + "Off, \""
                                + c.name() + "\", " + c.name() + ", " + c.name() + "Off, " + size(a) + ");";
                    } else {
                        line = "disjointRanges(op, \"" + a.name() + "\", " + a.name() + ", " + a.name() + "Off, "
                                + size(a) + ", \"" + c.name() + "\", " + c.name() + ", " + c.name() + "Off, "
                                + size(c) + ");";
                    }
                    List<String> guards = new ArrayList<>();
                    for (Array o : List.of(a, c)) {
                        if (o.optional()) {
                            guards.add(o.name() + " != null");
                        }
                    }
                    b.append(guards.isEmpty() ? "        " + line + "\n" : "        if (" + String.join(" && ", guards)
                            + ") {\n            " + line + "\n        }\n");
                }
            }
            b.append("    }\n");
        }
        return b.append("}\n").toString();
    }

    static String checkArguments(Kernel k) {
        List<String> p = new ArrayList<>(List.of("batch", "hidden"));
        for (Array a : k.arrays()) {
            p.add(a.name());
            p.add(a.name() + "Off");
        }
        return String.join(", ", p);
    }

    static String size(Array a) {
        String s = a.blocks() == 1 ? "hidden" : a.blocks() + " * hidden";
        return a.shared() ? s : "batch * " + s;
    }

    // ------------------------------------------------------------------------------ sums

    static final String SUM_KERNELS = HEADER + """
            package dev.lanes.kernel.internal;

            /**
             * The fixed-order sums of {@link ReductionKernels} over the declared {@link SumTerm}s, and the
             * maximum. Callers go through {@link Reductions}, which checks the arguments ({@code n >= 1}
             * for {@code max}); the generated fused kernels call them for their row sums.
             */
            public interface SumKernels {

                /**
                 * The fixed-order sum of {@code n} terms built from {@code x[xOff + i]} (and
                 * {@code y[yOff + i]} and {@code center} where the term reads them); 0 when {@code n == 0}.
                 */
                float sum(SumTerm term, float[] x, int xOff, float[] y, int yOff, float center, int n);

                /** The fixed-order sum, in double precision. */
                double sum(SumTerm term, double[] x, int xOff, double[] y, int yOff, double center, int n);

                /** The largest element, with {@link Math#max}'s rule (NaN wins); {@code n >= 1}. */
                float max(float[] x, int off, int n);

                /** The largest element; {@code n >= 1}. */
                double max(double[] x, int off, int n);
            }
            """;

    static String sumEnum(List<SumTerm> terms) {
        StringBuilder b = new StringBuilder(HEADER).append("package dev.lanes.kernel.internal;\n\n");
        b.append("/** The terms a fixed-order sum ({@link ReductionKernels}) can add up, declared in fused.ops. */\n");
        b.append("public enum SumTerm {\n");
        for (int k = 0; k < terms.size(); k++) {
            SumTerm t = terms.get(k);
            List<String> parts = new ArrayList<>();
            t.body().forEach(a -> parts.add(a.target() + " = " + Expressions.text(a.expr())));
            b.append("    /** {@code ").append(String.join("; ", parts)).append("}. */\n    ").append(t.constant())
                    .append(k + 1 < terms.size() ? ",\n" : "\n");
        }
        return b.append("}\n").toString();
    }

    static String scalarSums(List<SumTerm> terms) {
        StringBuilder b = new StringBuilder(HEADER);
        b.append("""
                package dev.lanes.kernel.scalar;

                import dev.lanes.kernel.internal.DoubleMath;
                import dev.lanes.kernel.internal.FloatMath;
                import dev.lanes.kernel.internal.SumKernels;
                import dev.lanes.kernel.internal.SumTerm;
                import dev.lanes.kernel.internal.Sums;
                import java.util.Arrays;

                /**
                 * The fixed-order sums of {@link dev.lanes.kernel.internal.ReductionKernels}, term by term: the
                 * reference for the vector provider and the double-precision path of both.
                 */
                public final class ScalarSums implements SumKernels {

                    /** The single instance. */
                    public static final ScalarSums INSTANCE = new ScalarSums();

                    private ScalarSums() {
                    }
                """);
        for (String type : new String[] {"float", "double"}) {
            b.append("\n    /**\n     * The fixed-order sum of {@code n} terms built from {@code x[xOff + i]} (and\n"
                    + "     * {@code y[yOff + i]}, {@code center} where the term reads them).\n     */\n");
            b.append("    @Override\n    public ").append(type).append(" sum(SumTerm term, ").append(type).append("[] x, int xOff, ")
                    .append(type).append("[] y, int yOff, ").append(type).append(" center, int n) {\n");
            b.append("        ").append(type).append("[] p = Sums.").append(type).append("Partials();\n");
            b.append("        double total = 0d;\n");
            b.append("        for (int start = 0; start < n; start += Sums.BLOCK) {\n");
            b.append("            Arrays.fill(p, 0);\n");
            b.append("            accumulate(term, x, xOff, y, yOff, center, start, Math.min(n, start + Sums.BLOCK), p);\n");
            b.append("            total += Sums.fold(p);\n        }\n");
            b.append("        return ").append(type.equals("float") ? "(float) total" : "total").append(";\n    }\n");
            b.append("\n    /** {@code p[(i - from) mod PARTIALS] += term(i)} for {@code i} in {@code [from, to)}, in order. */\n");
            b.append("    public static void accumulate(SumTerm term, ").append(type).append("[] x, int xOff, ").append(type)
                    .append("[] y, int yOff, ").append(type).append(" center, int from, int to, ").append(type)
                    .append("[] p) {\n");
            termLoops(b, terms, type, "p[(i - from) % Sums.PARTIALS] += v_term;");
            b.append("\n    /** {@code out[i] = term(i)} for {@code i} in {@code [from, to)}. */\n");
            b.append("    public static void terms(SumTerm term, ").append(type).append("[] x, int xOff, ").append(type)
                    .append("[] y, int yOff, ").append(type).append(" center, int from, int to, ").append(type)
                    .append("[] out) {\n");
            termLoops(b, terms, type, "out[i] = v_term;");
            b.append("\n    /** The largest of {@code x[off, off + n)}, with Math.max's rule (NaN wins); {@code n >= 1}. */\n");
            b.append("    @Override\n    public ").append(type).append(" max(").append(type).append("[] x, int off, int n) {\n");
            b.append("        ").append(type).append(" m = x[off];\n        for (int i = 1; i < n; i++) {\n");
            b.append("            m = Math.max(m, x[off + i]);\n        }\n        return m;\n    }\n");
        }
        return b.append("}\n").toString();
    }

    /** A switch over the terms, each a loop over {@code [from, to)} ending with {@code use} of {@code v_term}. */
    static void termLoops(StringBuilder b, List<SumTerm> terms, String type, String use) {
        b.append("        switch (term) {\n");
        for (SumTerm t : terms) {
            b.append("            case ").append(t.constant()).append(" -> {\n");
            b.append("                for (int i = from; i < to; i++) {\n");
            for (Assign a : t.body()) {
                b.append("                    ").append(type).append(" v_").append(a.target()).append(" = ")
                        .append(Expressions.scalar(a.expr(), type, termVar())).append(";\n");
            }
            b.append("                    ").append(use).append("\n                }\n            }\n");
        }
        b.append("        }\n    }\n");
    }

    static java.util.function.Function<String, String> termVar() {
        return n -> switch (n) {
            case "x" -> "x[xOff + i]";
            case "y" -> "y[yOff + i]";
            case "center" -> "center";
            default -> "v_" + n;
        };
    }

    /**
     * Plain terms (no function calls) are accumulated straight from the arrays by four unrolled
     * accumulators; a term that calls a function is first written for a block into a scratch run by
     * a vector loop (four inline copies of exp would outgrow C1's register allocator), whose plain
     * sum is then the term's sum: the same bits either way.
     */
    static String vectorSums(List<SumTerm> terms) {
        Map<String, String> constants = new LinkedHashMap<>();
        StringBuilder methods = new StringBuilder();
        methods.append(groups("PLAIN_RUN", List.of(new Assign("term", new Expressions.Var("x"))), constants));
        StringBuilder cases = new StringBuilder();
        for (SumTerm t : terms) {
            if (t.plain()) {
                methods.append(groups(t.constant(), t.body(), constants));
                cases.append("                case ").append(t.constant()).append(" -> groups").append(t.constant())
                        .append("(x, xs, y, ys, center, full, p);\n");
                continue;
            }
            cases.append("                case ").append(t.constant()).append(" -> {\n")
                    .append("                    run = run != null ? run : Scratch.floats(Scratch.ROW_TERMS, Sums.BLOCK);\n")
                    .append("                    terms").append(t.constant()).append("(x, xs, y, ys, center, len, run);\n")
                    .append("                    groupsPLAIN_RUN(run, 0, null, 0, 0f, full, p);\n")
                    .append("                }\n");
            TermBody body = new TermBody(constants, "            ", "i", "");
            for (Assign a : t.body()) {
                String r = body.emit(a.expr());
                body.line("FloatVector v_" + a.target() + " = " + r + ";");
            }
            body.line("v_term.intoArray(out, i);");
            methods.append("\n    private static void terms").append(t.constant())
                    .append("(float[] x, int xOff, float[] y, int yOff, float center, int n, float[] out) {\n")
                    .append("        int i = 0;\n        for (; i <= n - L; i += L) {\n").append(body.lines)
                    .append("        }\n        ScalarSums.terms(SumTerm.").append(t.constant())
                    .append(", x, xOff, y, yOff, center, i, n, out);\n    }\n");
        }
        StringBuilder b = new StringBuilder(HEADER);
        b.append("""
                package dev.lanes.kernel.vector;

                import dev.lanes.kernel.internal.Scratch;
                import dev.lanes.kernel.internal.SumKernels;
                import dev.lanes.kernel.internal.SumTerm;
                import dev.lanes.kernel.internal.Sums;
                import dev.lanes.kernel.scalar.ScalarSums;
                import jdk.incubator.vector.FloatVector;
                import jdk.incubator.vector.IntVector;
                import jdk.incubator.vector.VectorMask;
                import jdk.incubator.vector.VectorOperators;
                import jdk.incubator.vector.VectorSpecies;

                /**
                 * The fixed-order single precision sums on the preferred species: four accumulators of
                 * {@code L} lanes hold {@code 4L} of the 64 partial sums, so one pass over a block fills them
                 * all at 512 bits (two passes at 256, four at 128). The last, incomplete group of 64 terms is
                 * added by {@link ScalarSums#accumulate}, exactly where the scalar provider adds it. A term
                 * that calls a function is written into a scratch run first (see fused.ops). On species wider
                 * than 512 bits, where four vectors do not tile the 64 partials, {@link ScalarSums} runs: the
                 * same bits.
                 */
                @SuppressWarnings("unused")
                final class VectorSums implements SumKernels {

                    static final VectorSums INSTANCE = new VectorSums();
                    private static final ScalarSums SCALAR = ScalarSums.INSTANCE;

                    private static final VectorSpecies<Float> S = VectorMath.S;
                    private static final int L = S.length();
                    private static final boolean VECTOR_SUMS = Sums.PARTIALS % (4 * L) == 0;
                """);
        for (Map.Entry<String, String> c : constants.entrySet()) {
            b.append("    private static final FloatVector ").append(c.getValue()).append(" = FloatVector.broadcast(S, ")
                    .append(c.getKey()).append(");\n");
        }
        b.append("""

                    private VectorSums() {
                    }

                    /** {@link ScalarSums#sum(SumTerm, float[], int, float[], int, float, int)}, the same bits. */
                    @Override
                    public float sum(SumTerm term, float[] x, int xOff, float[] y, int yOff, float center, int n) {
                        if (!VECTOR_SUMS) {
                            return SCALAR.sum(term, x, xOff, y, yOff, center, n);
                        }
                        float[] p = Sums.floatPartials();
                        // The run of a function term's values, fetched only for such a term.
                        float[] run = null;
                        double total = 0d;
                        for (int start = 0; start < n; start += Sums.BLOCK) {
                            int len = Math.min(Sums.BLOCK, n - start);
                            int full = len - len % Sums.PARTIALS;
                            int xs = xOff + start;
                            int ys = yOff + start;
                            switch (term) {
                """);
        b.append(cases);
        b.append("""
                            }
                            if (full < len) {
                                ScalarSums.accumulate(term, x, xs, y, ys, center, full, len, p);
                            }
                            total += Sums.fold(p);
                        }
                        return (float) total;
                    }

                    /** The largest element, with Math.max's rule; the order is free (max is exact and symmetric). */
                    @Override
                    public float max(float[] x, int off, int n) {
                        FloatVector acc = FloatVector.broadcast(S, x[off]);
                        int i = 0;
                        for (; i <= n - L; i += L) {
                            acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, x, off + i));
                        }
                        float m = acc.reduceLanes(VectorOperators.MAX);
                        for (; i < n; i++) {
                            m = Math.max(m, x[off + i]);
                        }
                        return m;
                    }

                    @Override
                    public double sum(SumTerm term, double[] x, int xOff, double[] y, int yOff, double center, int n) {
                        return SCALAR.sum(term, x, xOff, y, yOff, center, n);
                    }

                    @Override
                    public double max(double[] x, int off, int n) {
                        return SCALAR.max(x, off, n);
                    }
                """);
        return b.append(methods).append("}\n").toString();
    }

    /**
     * A sum term's vector body over {@code x} and {@code y} at {@code <array>Off + index} and the
     * scalar center; {@code suffix} tells the locals of the unrolled copies apart.
     */
    static final class TermBody extends Expressions.VectorBody {
        private final String index;
        private final String suffix;
        private final Map<String, String> loads = new HashMap<>();

        TermBody(Map<String, String> constants, String indent, String index, String suffix) {
            super(constants, indent);
            this.index = index;
            this.suffix = suffix;
        }

        @Override
        Expressions.Operand var(String name) {
            if (name.equals("center")) {
                return new Expressions.Operand("center", true);
            }
            if (name.equals("x") || name.equals("y")) {
                String t = loads.computeIfAbsent(name, n -> {
                    String v = fresh(n + suffix);
                    line("FloatVector " + v + " = FloatVector.fromArray(S, " + n + ", " + n + "Off + " + index + ");");
                    return v;
                });
                return new Expressions.Operand(t, false);
            }
            return super.var(name + suffix);
        }
    }

    /** The unrolled accumulation of one plain term over the whole groups of a block. */
    static String groups(String name, List<Assign> body, Map<String, String> constants) {
        StringBuilder m = new StringBuilder();
        m.append("\n    private static void groups").append(name)
                .append("(float[] x, int xOff, float[] y, int yOff, float center, int full, float[] p) {\n");
        m.append("        for (int k = 0; k < Sums.PARTIALS; k += 4 * L) {\n");
        m.append("            FloatVector a0 = FloatVector.zero(S);\n            FloatVector a1 = a0;\n"
                + "            FloatVector a2 = a0;\n            FloatVector a3 = a0;\n");
        m.append("            for (int g = 0; g < full; g += Sums.PARTIALS) {\n");
        for (int u = 0; u < 4; u++) {
            String lanes = u == 0 ? "" : u == 1 ? " + L" : " + " + u + " * L";
            TermBody sb = new TermBody(constants, "                ", "g + k" + lanes, "_" + u);
            sb.temp = 100 * u;
            for (Assign a : body) {
                String r = sb.emit(a.expr());
                sb.line("FloatVector v_" + a.target() + "_" + u + " = " + r + ";");
            }
            sb.line("a" + u + " = a" + u + ".add(v_term_" + u + ");");
            m.append(sb.lines);
        }
        m.append("            }\n");
        for (int u = 0; u < 4; u++) {
            m.append("            a").append(u).append(".intoArray(p, k").append(u == 0 ? "" : u == 1 ? " + L" : " + " + u + " * L")
                    .append(");\n");
        }
        return m.append("        }\n    }\n").toString();
    }
}
