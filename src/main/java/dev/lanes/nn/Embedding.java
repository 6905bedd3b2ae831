package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code torch.nn.Embedding}: a learned vector per token id, weight {@code [numEmbeddings, dim]}
 * drawn from N(0, 1) as PyTorch does. A lookup copies the rows of the ids ({@link Ops#embedding});
 * its gradient reaches exactly the rows looked up, summed over repeats in the ids' order.
 */
public final class Embedding extends Layer {

    private final int numEmbeddings;
    private final int dim;
    private final Parameter weight;

    /**
     * @param numEmbeddings the number of token ids, >= 1
     * @param dim           the vector size, >= 1
     * @param dtype         the weight's type
     * @param gen           the source of the initial values
     */
    public Embedding(int numEmbeddings, int dim, DType dtype, Generator gen) {
        if (numEmbeddings < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding: sizes must be >= 1, got num_embeddings=" + numEmbeddings
                    + ", embedding_dim=" + dim);
        }
        if (gen == null) {
            throw new NullPointerException("Embedding: generator is null");
        }
        this.numEmbeddings = numEmbeddings;
        this.dim = dim;
        this.weight = registerParameter("weight", Tensor.randn(gen, dtype, numEmbeddings, dim));
    }

    /** An F32 embedding. */
    public Embedding(int numEmbeddings, int dim, Generator gen) {
        this(numEmbeddings, dim, DType.F32, gen);
    }

    /** @return the weight slot {@code [numEmbeddings, dim]} */
    public Parameter weight() {
        return weight;
    }

    /** @return the vector size */
    public int dim() {
        return dim;
    }

    /**
     * The vectors of the given ids.
     *
     * @param ids   token ids in {@code [0, numEmbeddings)}, row-major in {@code shape}
     * @param shape the shape of the ids (e.g. {@code T, B}); none means a flat list
     * @return {@code [shape..., dim]}, differentiable with respect to the weight
     */
    public Tensor lookup(int[] ids, int... shape) {
        if (ids == null) {
            throw new NullPointerException("Embedding.lookup: ids are null");
        }
        int[] idShape = shape.length == 0 ? new int[] {ids.length} : shape;
        long count = 1;
        for (int s : idShape) {
            if (s < 0) {
                throw new IllegalArgumentException("Embedding.lookup: negative size in shape "
                        + Arrays.toString(idShape));
            }
            count *= s;
        }
        if (count != ids.length) {
            throw new IllegalArgumentException("Embedding.lookup: " + ids.length + " ids do not fill shape "
                    + Arrays.toString(idShape));
        }
        double[] values = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= numEmbeddings) {
                throw new IllegalArgumentException("Embedding.lookup: id " + ids[i] + " at position " + i
                        + " is out of range [0, " + numEmbeddings + ")");
            }
            values[i] = ids[i];
        }
        return forward(Tensor.of(values, idShape));
    }

    /**
     * The vectors of the ids held in a tensor, as {@code torch.nn.Embedding.forward}: whole
     * numbers in {@code [0, numEmbeddings)} of either dtype. This is the form a plan captures,
     * with the ids as its input.
     *
     * @return {@code [ids shape..., dim]}, differentiable with respect to the weight
     * @throws IllegalArgumentException when an id is not a whole number in range (its position named)
     */
    @Override
    public Tensor forward(Tensor ids) {
        return Ops.embedding(ids, weight.tensor());
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + dim;
    }
}
