// Placeholder until the LogStorage target lands.
