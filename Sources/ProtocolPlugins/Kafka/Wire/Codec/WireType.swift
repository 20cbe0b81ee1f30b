import Foundation
import NIOCore

/// What a field's encoding depends on besides its type.
public struct WireContext: Sendable {
    /// The message version being read or written.
    public var version: Int16
    /// Whether the version is flexible: compact strings, arrays and bytes, tagged fields.
    public var flexible: Bool
    /// Whether the field may be null in this version.
    public var nullable: Bool

    public init(version: Int16, flexible: Bool, nullable: Bool = false) {
        self.version = version
        self.flexible = flexible
        self.nullable = nullable
    }
}

/// A Kafka wire type (`int16`, `string`, `[]int32`, a nested struct, `records`, …): how
/// values of its Swift type are read and written. Declarations name them with leading
/// dots: `.int16`, `.nullableString`, `.array(Topic.self)`.
public protocol WireType: Sendable {
    /// The Swift type holding a value (`Int16`, `String?`, `[Topic]`, …).
    associatedtype Value: Sendable & Equatable
    /// Reads one value; throws on short or malformed input instead of trapping.
    func read(_ reader: inout WireReader, _ context: WireContext) throws(KafkaCodecError) -> Value
    /// Writes one value in the encoding `context` calls for (classic or compact).
    func write(_ value: Value, _ writer: inout WireWriter, _ context: WireContext)
}

/// `int8`, `int16`, `uint16`, `int32`, `uint32`, `int64`: big-endian fixed width.
public struct FixedWidthWire<T: FixedWidthInteger & Sendable>: WireType {
    public init() {}
    public func read(_ reader: inout WireReader, _ context: WireContext) throws(KafkaCodecError) -> T {
        try reader.integer(T.self)
    }
    public func write(_ value: T, _ writer: inout WireWriter, _ context: WireContext) { writer.integer(value) }
}

extension WireType where Self == FixedWidthWire<Int8> { public static var int8: Self { .init() } }
extension WireType where Self == FixedWidthWire<Int16> { public static var int16: Self { .init() } }
extension WireType where Self == FixedWidthWire<UInt16> { public static var uint16: Self { .init() } }
extension WireType where Self == FixedWidthWire<Int32> { public static var int32: Self { .init() } }
extension WireType where Self == FixedWidthWire<UInt32> { public static var uint32: Self { .init() } }
extension WireType where Self == FixedWidthWire<Int64> { public static var int64: Self { .init() } }

/// `bool`: one byte, 0 or 1.
public struct BoolWire: WireType {
    public func read(_ reader: inout WireReader, _ context: WireContext) throws(KafkaCodecError) -> Bool { try reader.bool() }
    public func write(_ value: Bool, _ writer: inout WireWriter, _ context: WireContext) { writer.bool(value) }
}

extension WireType where Self == BoolWire { public static var bool: Self { .init() } }

/// `float64`: an IEEE 754 double, big-endian.
public struct Float64Wire: WireType {
    public func read(_ reader: inout WireReader, _ context: WireContext) throws(KafkaCodecError) -> Double { try reader.float64() }
    public func write(_ value: Double, _ writer: inout WireWriter, _ context: WireContext) { writer.float64(value) }
}

extension WireType where Self == Float64Wire { public static var float64: Self { .init() } }

/// `uuid`: 16 bytes.
public struct UUIDWire: WireType {
    public func read(_ reader: inout WireReader, _ context: WireContext) throws(KafkaCodecError) -> UUID { try reader.uuid() }
    public func write(_ value: UUID, _ writer: inout WireWriter, _ context: WireContext) { writer.uuid(value) }
}

extension WireType where Self == UUIDWire { public static var uuid: Self { .init() } }

extension UUID {
    /// The all-zero UUID Kafka uses for "no topic id".
    public static let zero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
}

/// `string` that is never null.
public struct StringWire: WireType {
    public func read(_ reader: inout WireReader, _ context: WireContext) throws(KafkaCodecError) -> String {
        guard let value = try reader.string(flexible: context.flexible) else { throw .unexpectedNull }
        return value
    }
    public func write(_ value: String, _ writer: inout WireWriter, _ context: WireContext) {
        writer.string(value, flexible: context.flexible)
    }
}

/// `string` that may be null in the versions the field declares nullable.
public struct NullableStringWire: WireType {
    public func read(_ reader: inout WireReader, _ context: WireContext) throws(KafkaCodecError) -> String? {
        try reader.string(flexible: context.flexible)
    }
    public func write(_ value: String?, _ writer: inout WireWriter, _ context: WireContext) {
        // A version that cannot carry null gets the nearest thing: an empty string.
        writer.string(context.nullable ? value : (value ?? ""), flexible: context.flexible)
    }
}

extension WireType where Self == StringWire { public static var string: Self { .init() } }
extension WireType where Self == NullableStringWire { public static var nullableString: Self { .init() } }

/// `bytes` that are never null.
public struct BytesWire: WireType {
    public func read(_ reader: inout WireReader, _ context: WireContext) throws(KafkaCodecError) -> ByteBuffer {
        guard let value = try reader.bytes(flexible: context.flexible) else { throw .unexpectedNull }
        return value
    }
    public func write(_ value: ByteBuffer, _ writer: inout WireWriter, _ context: WireContext) {
        writer.bytes(value, flexible: context.flexible)
    }
}

/// `bytes` that may be null.
public struct NullableBytesWire: WireType {
    public func read(_ reader: inout WireReader, _ context: WireContext) throws(KafkaCodecError) -> ByteBuffer? {
        try reader.bytes(flexible: context.flexible)
    }
    public func write(_ value: ByteBuffer?, _ writer: inout WireWriter, _ context: WireContext) {
        writer.bytes(context.nullable ? value : (value ?? ByteBuffer()), flexible: context.flexible)
    }
}

extension WireType where Self == BytesWire { public static var bytes: Self { .init() } }
extension WireType where Self == NullableBytesWire { public static var nullableBytes: Self { .init() } }
