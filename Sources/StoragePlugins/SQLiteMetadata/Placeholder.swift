// Placeholder until the SQLiteMetadata target lands.
