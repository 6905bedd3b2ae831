package dev.lanes.examples;

import dev.lanes.autograd.Ops;
import dev.lanes.kernel.Activation;
import dev.lanes.nn.GRU;
import dev.lanes.nn.LSTM;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.RNN;
import dev.lanes.nn.RecurrentOptions;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.Locale;

/**
 * A one-layer recurrent network read at its last step: {@code y = Linear(h_T)}, for sequence
 * regression such as the adding problem. The cell is a vanilla tanh RNN, an LSTM or a GRU, from
 * zero initial states; parameters are named {@code rnn.*} and {@code head.*}.
 */
final class LastStepRegressor extends Layer {

    /** The recurrent cells to choose from. */
    enum Cell {
        /** {@code h' = tanh(W x + U h + b)}. */
        RNN,
        /** Long short-term memory. */
        LSTM,
        /** Gated recurrent unit. */
        GRU;

        /** @return the cell named (case-insensitively) {@code name} */
        static Cell parse(String name) {
            for (Cell c : values()) {
                if (c.name().equalsIgnoreCase(name.trim())) {
                    return c;
                }
            }
            throw new IllegalArgumentException("unknown cell '" + name + "' (rnn, lstm or gru)");
        }

        /** @return the lower-case name */
        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Cell cell;
    private final Layer rnn;
    private final Linear head;

    /**
     * @param cell    the recurrent cell
     * @param inputs  features per step
     * @param hidden  hidden size
     * @param outputs outputs of the head
     * @param gen     the source of the initial values
     */
    LastStepRegressor(Cell cell, int inputs, int hidden, int outputs, Generator gen) {
        this.cell = cell;
        RecurrentOptions options = RecurrentOptions.of(inputs, hidden);
        this.rnn = registerModule("rnn", switch (cell) {
            case RNN -> new RNN(options, Activation.TANH, gen);
            case LSTM -> new LSTM(options, gen);
            case GRU -> new GRU(options, gen);
        });
        this.head = registerModule("head", new Linear(hidden, outputs, gen));
    }

    /** @return the cell type */
    Cell cell() {
        return cell;
    }

    /**
     * @param x a time-major batch {@code [T, B, inputs]}
     * @return the predictions {@code [B, outputs]}
     */
    @Override
    public Tensor forward(Tensor x) {
        Tensor hN = switch (rnn) {
            case LSTM l -> l.forward(x, null, null).hN();
            case RNN r -> r.forward(x, null).hN();
            case GRU g -> g.forward(x, null).hN();
            default -> throw new IllegalStateException("unexpected layer " + rnn);
        };
        return head.forward(Ops.reshape(hN, hN.size(1), hN.size(2)));
    }
}
