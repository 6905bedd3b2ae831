package dev.lanes.serve;

import dev.lanes.nn.Layer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Says which module of a model is running, for capture's messages: the innermost {@link Layer}
 * subclass on the calling thread's stack, with the state-dict path of the module (or modules) of
 * that class in the model. The stack shows classes, not instances, so a class used in several
 * places gives the candidates.
 */
final class ModuleLocator implements Supplier<String> {

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final int SHOWN = 3;

    private final Map<Class<?>, List<String>> paths = new LinkedHashMap<>();

    ModuleLocator(Layer model) {
        visit(model, "", new IdentityHashMap<>());
    }

    private void visit(Layer m, String path, Map<Layer, Boolean> seen) {
        if (seen.put(m, Boolean.TRUE) != null) {
            return;
        }
        paths.computeIfAbsent(m.getClass(), c -> new ArrayList<>()).add(path);
        m.children().forEach((k, c) -> visit(c, path.isEmpty() ? k : path + "." + k, seen));
    }

    @Override
    public String get() {
        Class<?> running = WALKER.walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
                .filter(c -> Layer.class.isAssignableFrom(c) && paths.containsKey(c)).findFirst().orElse(null));
        if (running == null) {
            return "(in the forward pass, outside the model's modules)";
        }
        List<String> at = paths.get(running);
        String name = running.getSimpleName();
        if (at.size() == 1) {
            return "in " + name + " " + where(at.get(0));
        }
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < Math.min(SHOWN, at.size()); i++) {
            shown.add(where(at.get(i)));
        }
        return "in " + name + " (" + String.join(", ", shown) + (at.size() > SHOWN ? ", ..." : "") + ")";
    }

    private static String where(String path) {
        return path.isEmpty() ? "(the model itself)" : "at '" + path + "'";
    }
}
