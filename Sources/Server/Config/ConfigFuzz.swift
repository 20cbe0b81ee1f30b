import Foundation
import SluiceKernel

/// Fuzz entry for the config loader: the input is the text of a plugins.json, loaded as
/// `sluice serve --config` loads it (JSON parse, broker settings, every plugin section
/// checked by its plugin's configuration type). The same file is compiled into the
/// `FuzzConfig` fuzz target (Sources/Fuzz/Config links to it), so the fuzzer and the
/// regression tests in ServerTests run this code.
enum ConfigFuzz {
    /// Loads `bytes`; the result is the loaded configuration or the error listing every
    /// problem. Never traps.
    static func run(_ bytes: [UInt8]) -> Result<SluiceConfig, ConfigurationError> {
        Result { () throws(ConfigurationError) in try SluiceConfig.load(Data(bytes), source: "fuzz input") }
    }
}
