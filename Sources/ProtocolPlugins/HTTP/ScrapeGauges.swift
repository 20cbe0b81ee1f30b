import Foundation
import SluiceKernel

/// Gauges computed from the broker at scrape time, in Prometheus text format:
/// partition log end offsets and sizes, consumer-group lag, service states and the
/// process's resident memory. Computing them on demand keeps the produce path free of
/// gauge updates and never leaves series behind for deleted topics or groups.
struct ScrapeGauges {
    let view: BrokerView

    func render() async -> String {
        var out = Exposition()
        let topics = await view.topics()
        out.family("sluice_partition_log_end_offset", help: "The offset the next record of the partition will get.")
        for topic in topics { for p in topic.partitions { out.sample("sluice_partition_log_end_offset", [("topic", topic.name), ("partition", "\(p.partition)")], p.logEndOffset) } }
        out.family("sluice_partition_log_start_offset", help: "The first offset still stored in the partition.")
        for topic in topics { for p in topic.partitions { out.sample("sluice_partition_log_start_offset", [("topic", topic.name), ("partition", "\(p.partition)")], p.logStartOffset) } }
        out.family("sluice_partition_size_bytes", help: "Bytes of record batches stored for the partition.")
        for topic in topics { for p in topic.partitions { out.sample("sluice_partition_size_bytes", [("topic", topic.name), ("partition", "\(p.partition)")], p.sizeBytes) } }

        out.family("sluice_consumer_group_lag", help: "Log end offset minus the group's committed offset, per partition.")
        for group in await view.groups() {
            for offset in group.offsets {
                guard let lag = offset.lag else { continue }
                out.sample("sluice_consumer_group_lag", [("group", group.group), ("topic", offset.topic), ("partition", "\(offset.partition)")], lag)
            }
        }
        let services = await view.connectors()
        out.family("sluice_service_running", help: "1 while the plugin instance is serving, else 0.")
        for service in services {
            out.sample("sluice_service_running", [("name", service.name), ("plugin", service.plugin), ("kind", service.kind)], service.state == "running" ? 1 : 0)
        }
        if let rss = ProcessMemory.residentBytes() {
            out.family("sluice_process_resident_memory_bytes", help: "Resident set size of the sluice process.")
            out.sample("sluice_process_resident_memory_bytes", [], rss)
        }
        return out.text
    }
}

/// Builds Prometheus text exposition (version 0.0.4) for gauges.
struct Exposition {
    private(set) var text = ""

    mutating func family(_ name: String, help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Int64) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " \(value)\n"
    }

    /// Label values escape backslash, double quote and line feed.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// The process's resident memory, from /proc/self/statm (Linux); nil elsewhere.
enum ProcessMemory {
    static func residentBytes() -> Int64? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int64(fields[1]) else { return nil }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
