package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.Dropout}: in training mode {@link Ops#dropout} with probability {@code p}, the
 * mask drawn from the generator given to the constructor; in evaluation mode the identity.
 */
public final class Dropout extends Layer {

    private final double p;
    private final Generator gen;

    /**
     * @param p   the probability of zeroing an element, in [0, 1]
     * @param gen the source of the masks
     */
    public Dropout(double p, Generator gen) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: probability has to be between 0 and 1, but got " + p);
        }
        if (gen == null) {
            throw new NullPointerException("Dropout: generator is null");
        }
        this.p = p;
        this.gen = gen;
    }

    /** {@code Dropout(0.5)} with the given generator. */
    public Dropout(Generator gen) {
        this(0.5, gen);
    }

    /** @return the probability of zeroing an element */
    public double p() {
        return p;
    }

    /** @return the generator the masks are drawn from */
    public Generator generator() {
        return gen;
    }

    @Override
    public Tensor forward(Tensor input) {
        return isTraining() ? Ops.dropout(input, p, gen) : input;
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
