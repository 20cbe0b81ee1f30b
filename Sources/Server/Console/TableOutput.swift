import Foundation

/// Tables for the console tools: aligned text for people, JSON for scripts
/// (`--output json`).
enum OutputFormat: String, Sendable, CaseIterable {
    case text, json
}

struct Table: Sendable {
    var columns: [String]
    var rows: [[String]]

    /// Columns padded to their widest cell; numbers are not right-aligned on purpose so
    /// copy-paste into other tools stays simple.
    func renderText() -> String {
        var widths = columns.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(columns)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// An array of objects keyed by column name (lowercased, spaces as underscores).
    func renderJSON() -> String {
        let keys = columns.map { $0.lowercased().replacingOccurrences(of: " ", with: "_") }
        let objects = rows.map { row in Dictionary(uniqueKeysWithValues: zip(keys, row.map { $0 as Any })) }
        let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    func render(_ format: OutputFormat) -> String {
        format == .json ? renderJSON() : renderText()
    }
}
