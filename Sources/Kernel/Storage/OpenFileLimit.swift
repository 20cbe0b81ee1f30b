import Foundation

/// The process's open-file limit (`RLIMIT_NOFILE`) and how many descriptors it holds.
///
/// A storage holds descriptors per open partition (`LogStorage.descriptorsPerPartition`)
/// and in a shared, bounded cache (`LogStorage.descriptorBudget`; the segment log keeps
/// all its segment files there, sized to fit this limit), so the limit caps partitions
/// only for storages that hold descriptors per partition. `sluice serve` raises the soft
/// limit to the hard one at start, as Go's runtime and many servers do.
public struct OpenFileLimit: Sendable, Equatable, CustomStringConvertible {
    /// The soft limit: what `open` fails with EMFILE beyond. `nil` = unlimited.
    public var soft: UInt64?
    /// The hard limit: the most an unprivileged process may raise `soft` to. `nil` = unlimited.
    public var hard: UInt64?

    public init(soft: UInt64?, hard: UInt64?) {
        self.soft = soft
        self.hard = hard
    }

    /// The limit now in force, or nil when the system will not say.
    public static func current() -> OpenFileLimit? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return OpenFileLimit(soft: finite(limit.rlim_cur), hard: finite(limit.rlim_max))
    }

    /// Raises the soft limit to the hard limit; returns the limits before and after
    /// (after = before when the call failed or there was nothing to raise).
    @discardableResult
    public static func raiseSoftToHard() -> (before: OpenFileLimit, after: OpenFileLimit)? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        let before = OpenFileLimit(soft: finite(limit.rlim_cur), hard: finite(limit.rlim_max))
        guard limit.rlim_cur != limit.rlim_max else { return (before, before) }
        limit.rlim_cur = limit.rlim_max
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (before, before) }
        return (before, current() ?? before)
    }

    /// Descriptors this process holds now (entries of /proc/self/fd), or nil off Linux.
    public static func openDescriptors() -> Int? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return nil }
        return max(0, entries.count - 1)   // the listing itself holds one while it runs
    }

    /// Whether `count` more descriptors fit under the soft limit, keeping `headroom` free
    /// for sockets, SQLite and segment rolls.
    public func fits(_ count: Int, inUse: Int, headroom: Int = 64) -> Bool {
        guard let soft else { return true }
        return UInt64(max(0, inUse + count + headroom)) <= soft
    }

    public var description: String {
        "soft \(soft.map(String.init) ?? "unlimited"), hard \(hard.map(String.init) ?? "unlimited")"
    }

    private static func finite(_ value: rlim_t) -> UInt64? {
        value == rlim_t.max ? nil : UInt64(value)   // RLIM_INFINITY is all ones; Swift cannot import it
    }
}
