module dev.lanes.consumer {
    requires dev.lanes;
}
