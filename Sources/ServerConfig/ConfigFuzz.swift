import Foundation
import SluiceKernel

/// Fuzz entry for the config loader: the input is the text of a plugins.json, loaded as
/// `sluice serve --config` loads it (JSON parse, broker settings, every plugin section
/// checked by its plugin's configuration type). The `FuzzConfig` fuzz target and the
/// regression tests in ServerTests both call it through this library, so they run the
/// server's own loader.
package enum ConfigFuzz {
    /// Loads `bytes`; the result is the loaded configuration or the error listing every
    /// problem. Never traps.
    package static func run(_ bytes: [UInt8]) -> Result<SluiceConfig, ConfigurationError> {
        Result { () throws(ConfigurationError) in try SluiceConfig.load(Data(bytes), source: "fuzz input") }
    }
}
