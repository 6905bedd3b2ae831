package dev.lanes.nn;

import dev.lanes.tensor.Tensor;
import java.util.List;

/** Modules applied one after the other, named {@code "0"}, {@code "1"}, ... as in PyTorch. */
public final class Sequential extends Layer {

    private final List<Layer> modules;

    /** @param modules the stages, in order */
    public Sequential(Layer... modules) {
        this.modules = List.of(modules);
        for (int i = 0; i < modules.length; i++) {
            registerModule(Integer.toString(i), modules[i]);
        }
    }

    /** @return stage {@code i} */
    public Layer get(int i) {
        return modules.get(i);
    }

    /** @return the number of stages */
    public int size() {
        return modules.size();
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Layer m : modules) {
            x = m.forward(x);
        }
        return x;
    }
}
