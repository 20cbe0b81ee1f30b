import NIOCore

/// `[]T`: an array that is never null.
public struct ArrayWire<Element: WireType>: WireType {
    public let element: Element
    public init(_ element: Element) { self.element = element }

    public func read(_ reader: inout WireReader, _ context: WireContext) throws(KafkaCodecError) -> [Element.Value] {
        guard let count = try reader.arrayCount(flexible: context.flexible) else { throw .unexpectedNull }
        return try readElements(count, &reader, context)
    }

    func readElements(_ count: Int, _ reader: inout WireReader, _ context: WireContext) throws(KafkaCodecError) -> [Element.Value] {
        var values: [Element.Value] = []
        values.reserveCapacity(count)
        let inner = WireContext(version: context.version, flexible: context.flexible)
        for _ in 0..<count { values.append(try element.read(&reader, inner)) }
        return values
    }

    public func write(_ value: [Element.Value], _ writer: inout WireWriter, _ context: WireContext) {
        writer.lengthPrefix(value.count, flexible: context.flexible, classicWidth: 4)
        let inner = WireContext(version: context.version, flexible: context.flexible)
        for item in value { element.write(item, &writer, inner) }
    }
}

/// `[]T` that may be null in the versions the field declares nullable.
public struct NullableArrayWire<Element: WireType>: WireType {
    let array: ArrayWire<Element>
    public init(_ element: Element) { array = ArrayWire(element) }

    public func read(_ reader: inout WireReader, _ context: WireContext) throws(KafkaCodecError) -> [Element.Value]? {
        guard let count = try reader.arrayCount(flexible: context.flexible) else { return nil }
        return try array.readElements(count, &reader, context)
    }

    public func write(_ value: [Element.Value]?, _ writer: inout WireWriter, _ context: WireContext) {
        guard let value else {
            if context.nullable {
                writer.lengthPrefix(nil, flexible: context.flexible, classicWidth: 4)
            } else {
                array.write([], &writer, context)
            }
            return
        }
        array.write(value, &writer, context)
    }
}

/// A nested struct, encoded by its own declaration.
public struct StructWire<S: KafkaStruct>: WireType {
    public init() {}
    public func read(_ reader: inout WireReader, _ context: WireContext) throws(KafkaCodecError) -> S {
        try S.decode(from: &reader, version: context.version, flexible: context.flexible)
    }
    public func write(_ value: S, _ writer: inout WireWriter, _ context: WireContext) {
        value.encode(to: &writer, version: context.version, flexible: context.flexible)
    }
}

extension WireType {
    public static func array<E: WireType>(_ element: E) -> Self where Self == ArrayWire<E> { ArrayWire(element) }
    public static func array<S: KafkaStruct>(_ type: S.Type) -> Self where Self == ArrayWire<StructWire<S>> {
        ArrayWire(StructWire())
    }
    public static func nullableArray<E: WireType>(_ element: E) -> Self where Self == NullableArrayWire<E> {
        NullableArrayWire(element)
    }
    public static func nullableArray<S: KafkaStruct>(_ type: S.Type) -> Self where Self == NullableArrayWire<StructWire<S>> {
        NullableArrayWire(StructWire())
    }
    public static func `struct`<S: KafkaStruct>(_ type: S.Type) -> Self where Self == StructWire<S> { StructWire() }
}

/// The record batches of a Produce or Fetch message: bytes, or a region of a log file
/// that the server sends with `sendfile`.
public enum RecordsData: Sendable, Equatable {
    case bytes(ByteBuffer)
    case file(any WireFileRegion)

    /// The records' length in bytes.
    public var byteCount: Int {
        switch self {
        case .bytes(let buffer): buffer.readableBytes
        case .file(let region): region.byteCount
        }
    }

    /// The bytes in memory (reads a file region).
    public func load() throws -> ByteBuffer {
        switch self {
        case .bytes(let buffer): buffer
        case .file(let region): try region.load()
        }
    }

    public static func == (lhs: RecordsData, rhs: RecordsData) -> Bool {
        switch (lhs, rhs) {
        case (.bytes(let a), .bytes(let b)): a == b
        // Both regions hold their descriptors open, so equal descriptors are the same file.
        case (.file(let a), .file(let b)):
            a.fileDescriptor == b.fileDescriptor && a.fileOffset == b.fileOffset && a.byteCount == b.byteCount
        default: false
        }
    }
}

/// `records`: nullable bytes holding record batches, never copied into the message buffer
/// when large or on disk.
public struct RecordsWire: WireType {
    public func read(_ reader: inout WireReader, _ context: WireContext) throws(KafkaCodecError) -> RecordsData? {
        try reader.bytes(flexible: context.flexible).map(RecordsData.bytes)
    }

    public func write(_ value: RecordsData?, _ writer: inout WireWriter, _ context: WireContext) {
        guard let value else { return writer.lengthPrefix(nil, flexible: context.flexible, classicWidth: 4) }
        writer.lengthPrefix(value.byteCount, flexible: context.flexible, classicWidth: 4)
        switch value {
        case .bytes(let bytes): writer.append(.bytes(bytes))
        case .file(let region): writer.append(.file(region))
        }
    }
}

extension WireType where Self == RecordsWire { public static var records: Self { .init() } }
