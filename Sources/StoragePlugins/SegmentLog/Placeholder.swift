// Placeholder until the SegmentLog target lands.
