/// A SCRAM message split into its comma-separated attributes (RFC 5802 §5), on UTF-8
/// bytes: the separators and attribute names are ASCII, and splitting by Swift
/// `Character` would let a "," after a combining or prepended mark hide inside a grapheme
/// cluster, so the server would read other attributes than the client wrote.
struct ScramAttributes {
    /// The message's bytes.
    let bytes: [UInt8]
    /// Each attribute's bytes, in order, empty ones included.
    let parts: [ArraySlice<UInt8>]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        parts = bytes[...].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
    }

    /// Whether `part` starts with the ASCII `prefix` (e.g. "n=").
    static func has(_ part: ArraySlice<UInt8>, prefix: String) -> Bool { part.starts(with: prefix.utf8) }

    /// `part` after its `count`-byte prefix, as text (the message was checked to be UTF-8,
    /// and it was cut at ASCII bytes, so each part is UTF-8 too).
    static func value(_ part: ArraySlice<UInt8>, after count: Int) -> String {
        String(decoding: part.dropFirst(count), as: UTF8.self)
    }

    /// `part` as text.
    static func text(_ part: ArraySlice<UInt8>) -> String { String(decoding: part, as: UTF8.self) }

    /// The message from the start of attribute `index` to its end, as text.
    func text(from index: Int) -> String { String(decoding: bytes[parts[index].startIndex...], as: UTF8.self) }
}
