package dev.lanes.consumer;

import module dev.lanes;

/** The same kind of model with JDK 25's module import: {@code Layer} is unambiguous there too. */
public final class ModuleImportNet extends Layer {

    private final Sequential body;

    public ModuleImportNet(Generator gen) {
        body = registerModule("body", new Sequential(new Linear(3, 5, gen), new ReLU(), new Linear(5, 1, gen)));
    }

    @Override
    public Tensor forward(Tensor x) {
        return body.forward(x);
    }
}
