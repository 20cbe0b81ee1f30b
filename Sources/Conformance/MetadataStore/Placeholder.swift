// Placeholder until the MetadataStore target lands.
