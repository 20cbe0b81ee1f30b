/// A message or nested struct described by a list of `Field`s. The one generic codec
/// below reads and writes every version of every declared message: which fields exist,
/// which may be null, which are tagged and whether strings and arrays are compact all
/// come from the declaration, never from version checks in handlers.
public protocol KafkaStruct: Sendable, Equatable {
    /// A value with every field at its default.
    init()
    /// The declaration, in wire order.
    static var fields: [Field<Self>] { get }
}

extension KafkaStruct {
    /// Writes the fields that exist in `version`, then (in flexible versions) the tagged
    /// fields whose values differ from their defaults, in tag order.
    public func encode(to writer: inout WireWriter, version: Int16, flexible: Bool) {
        var tagged: [Field<Self>] = []
        for field in Self.fields {
            if field.tag != nil, flexible, field.taggedVersions.contains(version) {
                if !field.isDefault(self) { tagged.append(field) }
                continue
            }
            guard field.versions.contains(version) else { continue }
            field.write(self, &writer, field.context(version, flexible: flexible))
        }
        guard flexible else { return }
        writer.unsignedVarint(UInt32(tagged.count))
        for field in tagged.sorted(by: { $0.tag! < $1.tag! }) {
            var value = WireWriter(capacity: 32)
            field.write(self, &value, field.context(version, flexible: true))
            writer.unsignedVarint(field.tag!)
            writer.unsignedVarint(UInt32(value.byteCount))
            writer.append(value)
        }
    }

    /// Reads the fields that exist in `version`; fields absent from it keep their defaults.
    /// Unknown tagged fields are skipped, as Kafka does.
    public static func decode(from reader: inout WireReader, version: Int16, flexible: Bool) throws(KafkaCodecError) -> Self {
        var value = Self()
        for field in fields {
            if field.tag != nil, flexible, field.taggedVersions.contains(version) { continue }
            guard field.versions.contains(version) else { continue }
            try field.read(&value, &reader, field.context(version, flexible: flexible))
        }
        guard flexible else { return value }
        try readTaggedFields(into: &value, from: &reader, version: version)
        return value
    }

    private static func readTaggedFields(into value: inout Self, from reader: inout WireReader, version: Int16) throws(KafkaCodecError) {
        let count = try reader.unsignedVarint()
        guard count <= reader.remaining else { throw .invalidLength(Int64(count)) }
        for _ in 0..<count {
            let tag = try reader.unsignedVarint()
            let size = Int(try reader.unsignedVarint())
            var slice = WireReader(try reader.slice(size))
            guard let field = fields.first(where: { $0.tag == tag && $0.taggedVersions.contains(version) }) else {
                continue
            }
            try field.read(&value, &slice, field.context(version, flexible: true))
        }
    }

    /// Encodes into a fresh buffer (for tests and tools).
    public func encoded(version: Int16, flexible: Bool) -> WireWriter {
        var writer = WireWriter()
        encode(to: &writer, version: version, flexible: flexible)
        return writer
    }
}

/// Skips a tagged-field section (request header v2, response header v1).
func skipTaggedFields(_ reader: inout WireReader) throws(KafkaCodecError) {
    let count = try reader.unsignedVarint()
    guard count <= reader.remaining else { throw .invalidLength(Int64(count)) }
    for _ in 0..<count {
        _ = try reader.unsignedVarint()
        try reader.skip(Int(try reader.unsignedVarint()))
    }
}
