import SluiceKernel

/// Turns records into the lines of a sink file.
///
/// - `value`: the record's value bytes followed by "\n" (a null value is an empty line).
///   Values that contain newlines span several lines; use `json` for those.
/// - `json`: one object per line, keys in this order:
///   `{"topic":"logs","partition":0,"offset":42,"timestamp":1700000000000,"key":null,
///   "headers":[{"key":"h","value":"v"}],"value":"text"}`. Timestamps are milliseconds
///   since the epoch. Keys, values and header values that are UTF-8 are JSON strings;
///   others are base64 followed by an encoding marker, e.g.
///   `"value":"AAEC","valueEncoding":"base64"`; null stays null.
struct RecordFormatter: Sendable {
    let format: FileSinkConfiguration.SinkFormat
    /// `{"topic":"…","partition":N,"offset":`, the same for every record of a partition.
    private let jsonPrefix: [UInt8]

    init(format: FileSinkConfiguration.SinkFormat, topicPartition: TopicPartition) {
        self.format = format
        var prefix: [UInt8] = []
        prefix.append(contentsOf: "{\"topic\":".utf8)
        JSONText.appendString(topicPartition.topic.utf8, to: &prefix)
        prefix.append(contentsOf: ",\"partition\":".utf8)
        JSONText.appendInteger(topicPartition.partition, to: &prefix)
        prefix.append(contentsOf: ",\"offset\":".utf8)
        jsonPrefix = prefix
    }

    /// Appends the line of `record` to `out`.
    func append(_ record: Record, to out: inout [UInt8]) {
        switch format {
        case .value:
            if let value = record.value { out.append(contentsOf: value) }
            out.append(0x0A)
        case .json:
            out.append(contentsOf: jsonPrefix)
            JSONText.appendInteger(record.offset, to: &out)
            out.append(contentsOf: ",\"timestamp\":".utf8)
            JSONText.appendInteger(record.timestamp, to: &out)
            out.append(UInt8(ascii: ","))
            JSONText.appendBytesField("key", record.key, to: &out)
            out.append(contentsOf: ",\"headers\":[".utf8)
            for (index, header) in record.headers.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: "{\"key\":".utf8)
                JSONText.appendString(header.key.utf8, to: &out)
                out.append(UInt8(ascii: ","))
                JSONText.appendBytesField("value", header.value, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(contentsOf: "],".utf8)
            JSONText.appendBytesField("value", record.value, to: &out)
            out.append(contentsOf: "}\n".utf8)
        }
    }

    /// The line of `record` alone (tests, rotation sizing).
    func line(_ record: Record) -> [UInt8] {
        var out: [UInt8] = []
        append(record, to: &out)
        return out
    }
}
