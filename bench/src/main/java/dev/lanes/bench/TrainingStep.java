package dev.lanes.bench;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.StepMemory;
import dev.lanes.nn.Layer;
import dev.lanes.optim.Optimizer;
import dev.lanes.tensor.Tensor;

/** The training step the image-model benchmarks time, as the trainer runs it. */
final class TrainingStep {

    private TrainingStep() {
    }

    /**
     * One step in a step memory: training mode, zeroed gradients, forward, cross entropy,
     * backward, update.
     *
     * @return the loss, read inside the step
     */
    static double run(StepMemory memory, Layer net, Optimizer opt, Tensor images, int[] labels) {
        try (StepMemory.Step step = memory.step()) {
            net.train();
            opt.zeroGrad();
            Tensor loss = Losses.crossEntropy(net.forward(images), labels);
            loss.backward();
            opt.step();
            return loss.item();
        }
    }
}
