#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SluiceKernel

/// A C library opened at run time (`dlopen`), so that building Sluice needs no -dev
/// package for it: lz4 and zstd are on every Debian and Ubuntu system as runtime
/// libraries (liblz4-1, libzstd1, which apt itself needs), but their headers are not.
///
/// Only the functions a codec calls are resolved, by name, each with the C signature
/// the codec declares. A missing library or symbol is an error naming the codec and
/// the Debian package that provides it, raised when the codec is first used.
struct NativeLibrary: @unchecked Sendable {
    // Sendable: the handle is only passed to dlsym, which is thread-safe, and never closed.
    private let handle: UnsafeMutableRawPointer
    /// The codec this library serves, for error messages.
    let codec: RecordBatch.Compression
    /// The file name that opened (e.g. "liblz4.so.1").
    let fileName: String

    /// Opens the first of `fileNames` that loads.
    /// - Parameter package: the Debian package that installs it, named in the error.
    static func open(_ fileNames: [String], codec: RecordBatch.Compression,
                     package: String) -> Result<NativeLibrary, CompressionError> {
        var reasons: [String] = []
        for name in fileNames {
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) {
                return .success(NativeLibrary(handle: handle, codec: codec, fileName: name))
            }
            reasons.append(dlerror().map { String(cString: $0) } ?? "\(name) not found")
        }
        return .failure(CompressionError(codec,
            "\(codec) compression needs \(fileNames[0]), which could not be loaded "
                + "(\(reasons.joined(separator: "; "))): install it with `apt-get install \(package)`"))
    }

    /// The function `name` as the C function type `T` (a `@convention(c)` type, taken
    /// from the property it is assigned to).
    func function<T>(_ name: String) throws(CompressionError) -> T {
        guard let symbol = dlsym(handle, name) else {
            throw CompressionError(codec, "\(fileName) has no function \(name); it is too old or not the real library")
        }
        return unsafeBitCast(symbol, to: T.self)
    }
}
