import CLibFuzzer
import Foundation
import SluiceFuzzEntries

/// The fuzz target's input callback (built only by scripts/fuzz, with libFuzzer).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    _ = SaslFuzz.run(bytes)
    return 0
}

/// SwiftPM links every executable's entry point as `main`, so libFuzzer's own main never
/// runs; this one hands the command line to libFuzzer's driver instead.
@main enum FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzTestOneInput(data, size) })
    }
}
