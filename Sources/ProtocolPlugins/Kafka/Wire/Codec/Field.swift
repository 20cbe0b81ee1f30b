/// One field of a message declaration, as Kafka's message specs describe it: a name, the
/// property it fills, its wire type, the versions it exists in, the versions in which it
/// may be null, and — for tagged fields — its tag and tagged versions.
///
/// ```swift
/// Field("Topics", \.topics, .nullableArray(Topic.self), versions: "0+", nullable: "1+")
/// Field("SupportedFeatures", \.supportedFeatures, .array(Feature.self), versions: "3+", tag: 0)
/// ```
///
/// A field's default is the property's initial value in `Root()`; tagged fields are
/// written only when they differ from it (older clients reject unexpected tags).
public struct Field<Root: KafkaStruct>: Sendable {
    /// The field's name in the Kafka spec, e.g. "ErrorCode".
    public let name: String
    /// The versions the field exists in.
    public let versions: Versions
    /// The versions in which the field may be null.
    public let nullableVersions: Versions
    /// The tag of a tagged field; nil for regular fields.
    public let tag: UInt32?
    /// The versions in which a tagged field is tagged (flexible versions only).
    public let taggedVersions: Versions

    let read: @Sendable (inout Root, inout WireReader, WireContext) throws(KafkaCodecError) -> Void
    let write: @Sendable (Root, inout WireWriter, WireContext) -> Void
    let isDefault: @Sendable (Root) -> Bool

    /// - Parameters:
    ///   - name: the field's name in the Kafka spec (used in error messages).
    ///   - keyPath: the property holding the value.
    ///   - type: the wire type, e.g. `.int32`, `.nullableString`, `.array(Partition.self)`.
    ///   - versions: the versions the field exists in, e.g. `"3+"`.
    ///   - nullable: the versions in which it may be null; default `"none"`.
    ///   - tag: the tag number for a tagged field.
    ///   - taggedVersions: where it is tagged; defaults to `versions` when `tag` is set.
    public init<T: WireType>(_ name: String, _ keyPath: any WritableKeyPath<Root, T.Value> & Sendable, _ type: T,
                             versions: Versions, nullable: Versions = .none,
                             tag: UInt32? = nil, taggedVersions: Versions? = nil) {
        self.name = name
        self.versions = versions
        self.nullableVersions = nullable
        self.tag = tag
        self.taggedVersions = tag == nil ? .none : (taggedVersions ?? versions)
        let defaultValue = Root()[keyPath: keyPath]
        read = { root, reader, context throws(KafkaCodecError) in
            do throws(KafkaCodecError) {
                root[keyPath: keyPath] = try type.read(&reader, context)
            } catch {
                throw .inField(name, error)
            }
        }
        write = { root, writer, context in type.write(root[keyPath: keyPath], &writer, context) }
        isDefault = { $0[keyPath: keyPath] == defaultValue }
    }

    func context(_ version: Int16, flexible: Bool) -> WireContext {
        WireContext(version: version, flexible: flexible, nullable: nullableVersions.contains(version))
    }
}
