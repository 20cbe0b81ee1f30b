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
/// Field paths are dotted (`fields.log_topic` finds `{"fields":{"log_topic":…}}`); a
/// top-level member named with the whole dotted path (`{"fields.log_topic":…}`) matches too.
public struct EventScanner: Sendable {
    private enum Slot: Int, CaseIterable { case timestamp, key, topic }

    /// Path segments per slot, as UTF-8; nil when the slot is not wanted.
    private let paths: [[[UInt8]]?]
    /// The whole dotted path per slot, for the flat-name match at the top level.
    private let flatNames: [[UInt8]?]
    /// Slots with a path, in order.
    private let wantedSlots: [Int]

    /// - Parameters:
    ///   - keyField: dotted path of the record key field, or nil for null keys.
    ///   - topicField: dotted path of the routing field, or nil to route nothing.
    public init(keyField: String? = nil, topicField: String? = nil) {
        let fields: [String?] = ["@timestamp", keyField, topicField]
        paths = fields.map { $0.map { $0.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) } } }
        flatNames = fields.map { field in field.flatMap { $0.contains(".") ? Array($0.utf8) : nil } }
        wantedSlots = fields.indices.filter { fields[$0] != nil }
    }

    /// Scans one event.
    /// - Throws: `.invalidJSON` when the payload is not one JSON object.
    public func scan(_ payload: ByteBuffer, sequence: UInt32) throws(BeatsProtocolError) -> EventFields {
        let result: Result<EventFields, JSONScanError> = payload.withUnsafeReadableBytes { raw in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress, raw.count > 0 else {
                return .failure(JSONScanError(reason: "the payload is empty", offset: 0))
            }
            var cursor = JSONCursor(base, count: raw.count)
            var captures = [Capture?](repeating: nil, count: Slot.allCases.count)
            do throws(JSONScanError) {
                cursor.skipWhitespace()
                guard !cursor.atEnd, cursor.current == 0x7B else { throw cursor.fail("an event must be a JSON object") }
                try scanObject(&cursor, level: 0, wanted: wantedSlots, captures: &captures)
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

    /// Walks an object at `level` of the paths in `wanted` (slot indices).
    private func scanObject(_ cursor: inout JSONCursor, level: Int, wanted: [Int], captures: inout [Capture?]) throws(JSONScanError) {
        guard level < JSONCursor.maxDepth else { throw cursor.fail("nested deeper than \(JSONCursor.maxDepth) levels") }
        cursor.index += 1
        cursor.skipWhitespace()
        if !cursor.atEnd && cursor.current == 0x7D {
            cursor.index += 1
            return
        }
        while true {
            cursor.skipWhitespace()
            guard !cursor.atEnd, cursor.current == 0x22 else { throw cursor.fail("expected a quoted member name") }
            let name = try cursor.string()
            try cursor.expect(0x3A, "':' after a member name")
            var deeper: [Int] = []
            var capturing: [Int] = []
            for slot in wanted {
                let path = paths[slot]!
                if level < path.count, matches(path[level], name, cursor) {
                    if level == path.count - 1 { capturing.append(slot) } else { deeper.append(slot) }
                } else if level == 0, let flat = flatNames[slot], matches(flat, name, cursor) {
                    capturing.append(slot)
                }
            }
            cursor.skipWhitespace()
            guard !cursor.atEnd else { throw cursor.fail("expected a value but the payload ended") }
            if !capturing.isEmpty {
                let start = cursor.index
                let capture: Capture
                if cursor.current == 0x22 {
                    capture = .string(try cursor.string())
                } else {
                    try cursor.skipValue(depth: level + 1)
                    capture = .raw(start..<cursor.index)
                }
                for slot in capturing { captures[slot] = capture }
            } else if !deeper.isEmpty && cursor.current == 0x7B {
                try scanObject(&cursor, level: level + 1, wanted: deeper, captures: &captures)
            } else {
                try cursor.skipValue(depth: level + 1)
            }
            cursor.skipWhitespace()
            guard !cursor.atEnd else { throw cursor.fail("unclosed object") }
            if cursor.current == 0x2C {
                cursor.index += 1
            } else if cursor.current == 0x7D {
                cursor.index += 1
                return
            } else {
                throw cursor.fail("expected ',' or '}'")
            }
        }
    }

    private func matches(_ expected: [UInt8], _ name: Range<Int>, _ cursor: JSONCursor) -> Bool {
        guard expected.count == name.count else { return false }
        for (offset, byte) in expected.enumerated() where cursor.bytes[name.lowerBound + offset] != byte { return false }
        return true
    }

    private func fields(from captures: [Capture?], base: UnsafePointer<UInt8>) -> EventFields {
        var fields = EventFields()
        func bytes(_ capture: Capture) -> [UInt8]? {
            switch capture {
            case .string(let range):
                return JSONString.unescape(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
            case .raw(let range):
                return Array(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
            }
        }
        if case .string = captures[Slot.timestamp.rawValue], let text = bytes(captures[Slot.timestamp.rawValue]!) {
            fields.timestamp = RFC3339.milliseconds(text)
        }
        if let capture = captures[Slot.key.rawValue] { fields.key = bytes(capture) }
        if case .string = captures[Slot.topic.rawValue], let text = bytes(captures[Slot.topic.rawValue]!) {
            fields.topic = String(decoding: text, as: UTF8.self)
        }
        return fields
    }
}
