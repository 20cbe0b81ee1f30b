#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// What the server needs from an event besides its bytes.
public struct EventFields: Sendable, Equatable {
    /// `@timestamp` in milliseconds since the epoch, when present and valid RFC 3339.
    public var timestamp: Int64?
    /// The `keyField` value: a string's unescaped UTF-8, or any other value as sent.
    public var key: [UInt8]?
    /// The `topicField` value, when it is a string.
    public var topic: String?
}

/// Checks that an event is a JSON object and picks out `@timestamp`, the key field and
/// the topic field in the same single pass.
///
/// The scan stops checking in detail once every configured field has been found: the
/// rest of the payload is skipped a string at a time, and only has to close the object
/// (brackets balanced, nothing but whitespace after it). A field's first occurrence is
/// the one taken. Events missing a field are checked in full.
///
/// Field paths are dotted (`fields.log_topic` finds `{"fields":{"log_topic":…}}`); a
/// top-level member named with the whole dotted path (`{"fields.log_topic":…}`) matches too.
public struct EventScanner: Sendable {
    /// What each capture slot holds (the bit `1 << rawValue` in masks).
    enum Slot: Int { case timestamp = 0, key, topic }

    private let table: PathTable
    /// Slots with a path.
    private let wantedMask: UInt8

    /// - Parameters:
    ///   - keyField: dotted path of the record key field, or nil for null keys.
    ///   - topicField: dotted path of the routing field, or nil to route nothing.
    public init(keyField: String? = nil, topicField: String? = nil) {
        let fields: [String?] = ["@timestamp", keyField, topicField]
        table = PathTable(fields)
        wantedMask = fields.indices.reduce(0) { fields[$1] == nil ? $0 : $0 | UInt8(1 << $1) }
    }

    /// Scans one event.
    /// - Throws: `.invalidJSON` when the payload is not one JSON object.
    public func scan(_ payload: ByteBuffer, sequence: UInt32) throws(BeatsProtocolError) -> EventFields {
        let result: Result<EventFields, JSONScanError> = payload.withUnsafeReadableBytes { raw in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress, raw.count > 0 else {
                return .failure(JSONScanError(reason: "the payload is empty", offset: 0))
            }
            var cursor = JSONCursor(base, count: raw.count)
            var captures = Captures()
            do throws(JSONScanError) {
                cursor.skipWhitespace()
                guard !cursor.atEnd, cursor.current == 0x7B else { throw cursor.fail("an event must be a JSON object") }
                _ = try scanObject(&cursor, level: 0, wanted: wantedMask, captures: &captures)
                cursor.skipWhitespace()
                guard cursor.atEnd else { throw cursor.fail("unexpected bytes after the object") }
            } catch {
                return .failure(error)
            }
            return .success(fields(from: captures, base: base))
        }
        switch result {
        case .success(let fields): return fields
        case .failure(let error): throw .invalidJSON(sequence: sequence, reason: error.description)
        }
    }

    private enum Capture {
        case string(Range<Int>)
        case raw(Range<Int>)
    }

    /// One capture per slot, without an array allocation per event.
    private struct Captures {
        var timestamp: Capture?
        var key: Capture?
        var topic: Capture?
        /// Slots captured so far (bit masks as in `Slot`).
        var found: UInt8 = 0

        /// Captures `capture` for the slots in `mask` not captured yet.
        mutating func set(_ mask: UInt8, _ capture: Capture) {
            let new = mask & ~found
            if new & 1 != 0 { timestamp = capture }
            if new & 2 != 0 { key = capture }
            if new & 4 != 0 { topic = capture }
            found |= new
        }
    }

    /// Walks an object at `level` of the paths of the slots in `wanted` (a bit mask).
    ///
    /// - Returns: true when every configured field has been found and the rest of the
    ///   payload up to the top-level object's end has been skipped (callers return at once).
    private func scanObject(_ cursor: inout JSONCursor, level: Int, wanted: UInt8, captures: inout Captures) throws(JSONScanError) -> Bool {
        guard level < JSONCursor.maxDepth else { throw cursor.fail("nested deeper than \(JSONCursor.maxDepth) levels") }
        cursor.index += 1
        cursor.skipWhitespace()
        if !cursor.atEnd && cursor.current == 0x7D {
            cursor.index += 1
            return false
        }
        while true {
            cursor.skipWhitespace()
            guard !cursor.atEnd, cursor.current == 0x22 else { throw cursor.fail("expected a quoted member name") }
            let name = try cursor.string()
            try cursor.expect(0x3A, "':' after a member name")
            let (capturing, deeper) = table.match(cursor.bytes + name.lowerBound, count: name.count, level: level, wanted: wanted)
            cursor.skipWhitespace()
            guard !cursor.atEnd else { throw cursor.fail("expected a value but the payload ended") }
            if capturing != 0 {
                let start = cursor.index
                if cursor.current == 0x22 {
                    captures.set(capturing, .string(try cursor.string()))
                } else {
                    try cursor.skipValue(depth: level + 1)
                    captures.set(capturing, .raw(start..<cursor.index))
                }
                if captures.found == wantedMask {
                    try cursor.skipToEnd(openContainers: level + 1)
                    return true
                }
            } else if deeper != 0 && cursor.current == 0x7B {
                if try scanObject(&cursor, level: level + 1, wanted: deeper, captures: &captures) { return true }
            } else {
                try cursor.skipValue(depth: level + 1)
            }
            cursor.skipWhitespace()
            guard !cursor.atEnd else { throw cursor.fail("unclosed object") }
            if cursor.current == 0x2C {
                cursor.index += 1
            } else if cursor.current == 0x7D {
                cursor.index += 1
                return false
            } else {
                throw cursor.fail("expected ',' or '}'")
            }
        }
    }

    private func fields(from captures: Captures, base: UnsafePointer<UInt8>) -> EventFields {
        var fields = EventFields()
        if case .string(let range) = captures.timestamp {
            let text = UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
            fields.timestamp = text.contains(0x5C) ? JSONString.unescape(text).flatMap(RFC3339.milliseconds) : RFC3339.milliseconds(text)
        }
        switch captures.key {
        case .string(let range):
            fields.key = JSONString.unescape(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
        case .raw(let range):
            fields.key = Array(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
        case nil:
            break
        }
        if case .string(let range) = captures.topic,
           let text = JSONString.unescape(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)) {
            fields.topic = String(decoding: text, as: UTF8.self)
        }
        return fields
    }
}

/// The wanted paths as flat entries — one per path segment, plus one per whole dotted
/// name for the top-level flat match — in memory that is never reference counted, so
/// matching a member name costs byte compares only.
private final class PathTable: @unchecked Sendable {
    struct Entry {
        var slotBit: UInt8
        var level: Int
        var start: Int
        var count: Int
        var isLast: Bool
    }

    // Written once in init and only read after: safe to share across threads.
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let entries: UnsafeMutableBufferPointer<Entry>

    init(_ fields: [String?]) {
        var names: [UInt8] = []
        var list: [Entry] = []
        for (slot, field) in fields.enumerated() {
            guard let field else { continue }
            let segments = field.split(separator: ".", omittingEmptySubsequences: false)
            for (level, segment) in segments.enumerated() {
                list.append(Entry(slotBit: UInt8(1 << slot), level: level, start: names.count, count: segment.utf8.count,
                                  isLast: level == segments.count - 1))
                names += segment.utf8
            }
            if segments.count > 1 {
                list.append(Entry(slotBit: UInt8(1 << slot), level: 0, start: names.count, count: field.utf8.count, isLast: true))
                names += field.utf8
            }
        }
        bytes = .allocate(capacity: max(1, names.count))
        _ = bytes.initialize(from: names)
        entries = .allocate(capacity: max(1, list.count))
        _ = entries.initialize(from: list)
        entryCount = list.count
    }

    private let entryCount: Int

    deinit {
        bytes.deallocate()
        entries.deallocate()
    }

    /// Which wanted slots the member `name` completes (capture its value) and which it
    /// leads into (descend when the value is an object), as bit masks.
    func match(_ name: UnsafePointer<UInt8>, count: Int, level: Int, wanted: UInt8) -> (capturing: UInt8, deeper: UInt8) {
        var capturing: UInt8 = 0
        var deeper: UInt8 = 0
        for index in 0..<entryCount {
            let entry = entries[index]
            guard entry.level == level, wanted & entry.slotBit != 0, entry.count == count,
                  memcmp(name, bytes.baseAddress! + entry.start, count) == 0 else { continue }
            if entry.isLast { capturing |= entry.slotBit } else { deeper |= entry.slotBit }
        }
        return (capturing, deeper)
    }
}
