// Placeholder until the Kafka target lands.
