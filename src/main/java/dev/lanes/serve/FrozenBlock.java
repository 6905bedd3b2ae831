package dev.lanes.serve;

import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Conv2d;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Sequential;
import dev.lanes.nn.models.ResidualBlock;
import dev.lanes.nn.models.ZeroPadShortcut;
import java.util.List;

/**
 * A residual block with its batch norms folded: two (basic) or three (bottleneck) convolutions,
 * ReLU after each but the last, then the shortcut (identity, option A read from the input, or a
 * folded 1x1 projection) added before the final ReLU. Plain blocks have no shortcut.
 */
final class FrozenBlock {

    final FrozenConv[] convs;
    final boolean residual;
    final FrozenConv projection;
    final ZeroPadMap zeroPad;

    private FrozenBlock(FrozenConv[] convs, boolean residual, FrozenConv projection, ZeroPadMap zeroPad) {
        this.convs = convs;
        this.residual = residual;
        this.projection = projection;
        this.zeroPad = zeroPad;
    }

    static FrozenBlock of(String name, Layer block, int channels, int h, int w) {
        if (!(block instanceof ResidualBlock b)) {
            throw new IllegalArgumentException(name + ": cannot freeze a " + block.getClass().getName()
                    + " (BasicBlock and Bottleneck can be frozen)");
        }
        List<Conv2d> c = b.convolutions();
        List<BatchNorm2d> n = b.batchNorms();
        Layer downsample = b.downsample();
        boolean residual = b.residual();
        if (c.get(0).inChannels() != channels) {
            throw new IllegalArgumentException(name + ": expects " + c.get(0).inChannels() + " input channels, the layer"
                    + " before gives " + channels);
        }
        FrozenConv[] convs = new FrozenConv[c.size()];
        int ch = h;
        int cw = w;
        for (int i = 0; i < convs.length; i++) {
            convs[i] = FrozenConv.fold(name + ".conv" + (i + 1), c.get(i), n.get(i), ch, cw);
            ch = convs[i].g.hOut();
            cw = convs[i].g.wOut();
        }
        FrozenConv last = convs[convs.length - 1];
        FrozenConv projection = null;
        ZeroPadMap zeroPad = null;
        if (residual) {
            switch (downsample) {
                case null -> requireSame(name, channels, h, w, last);
                case ZeroPadShortcut z -> {
                    zeroPad = ZeroPadMap.of(z, h, w);
                    int sub = (h - 1) / z.stride() + 1;
                    int subW = (w - 1) / z.stride() + 1;
                    if (z.outChannels() != last.g.cOut() || sub != ch || subW != cw) {
                        throw new IllegalArgumentException(name + ": the zero-pad shortcut gives " + z.outChannels()
                                + "x" + sub + "x" + subW + ", the convolutions " + last.g.cOut() + "x" + ch + "x" + cw);
                    }
                }
                case Sequential s when s.size() == 2 && s.get(0) instanceof Conv2d pc
                        && s.get(1) instanceof BatchNorm2d pb -> {
                    projection = FrozenConv.fold(name + ".downsample", pc, pb, h, w);
                    requireSame(name + ".downsample", projection.g.cOut(), projection.g.hOut(), projection.g.wOut(),
                            last);
                }
                default -> throw new IllegalArgumentException(name + ": cannot freeze the shortcut "
                        + downsample.getClass().getName() + " (zero padding or Sequential(Conv2d, BatchNorm2d))");
            }
        }
        return new FrozenBlock(convs, residual, projection, zeroPad);
    }

    private static void requireSame(String name, int c, int h, int w, FrozenConv last) {
        if (c != last.g.cOut() || h != last.g.hOut() || w != last.g.wOut()) {
            throw new IllegalArgumentException(name + ": the shortcut gives " + c + "x" + h + "x" + w
                    + ", the convolutions " + last.g.cOut() + "x" + last.g.hOut() + "x" + last.g.wOut());
        }
    }

    FrozenConv last() {
        return convs[convs.length - 1];
    }
}
