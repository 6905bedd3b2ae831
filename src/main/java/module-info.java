/**
 * Lanes: a pure-Java deep-learning compute library.
 *
 * <p>Exported, what programs are written against: tensors ({@code dev.lanes.tensor}), the
 * differentiable operations, losses and gradient checks ({@code dev.lanes.autograd}), layers and
 * models ({@code dev.lanes.nn}, {@code dev.lanes.nn.models}), optimizers and schedules
 * ({@code dev.lanes.optim}), files ({@code dev.lanes.io}), data sets and loaders
 * ({@code dev.lanes.data}), the trainer ({@code dev.lanes.train}), serving plans
 * ({@code dev.lanes.serve}), data-parallel training across processes
 * ({@code dev.lanes.distributed}) and, from {@code dev.lanes.kernel}, the BLAS entry points and the
 * provider and thread settings. Everything else is internal and may change in any release.
 *
 * <p>The Vector API module is optional at run time: start the JVM with
 * {@code --add-modules jdk.incubator.vector} to get the SIMD kernels; without it every kernel
 * runs on the scalar provider and one log line says so.
 */
module dev.lanes {
    requires static jdk.incubator.vector;
    // Only to ask HotSpot whether C2 is enabled; absent in minimal runtime images.
    requires static jdk.management;
    // Only for the PNG plots of dev.lanes.train.Charts (examples); absent, the plots are skipped.
    requires static org.knowm.xchart;
    requires static java.desktop;

    exports dev.lanes.kernel;
    exports dev.lanes.tensor;
    exports dev.lanes.autograd;
    exports dev.lanes.nn;
    exports dev.lanes.nn.models;
    exports dev.lanes.optim;
    exports dev.lanes.io;
    exports dev.lanes.data;
    exports dev.lanes.serve;
    exports dev.lanes.train;
    exports dev.lanes.distributed;
}
