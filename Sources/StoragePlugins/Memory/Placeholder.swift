// Placeholder until the Memory target lands.
