/// The watches this session has set, by kind, so a reconnect can set them again
/// (SetWatches) on the server it reaches. Paths are the client's (chroot removed).
///
/// The server keeps one watch per path and kind per session and drops it when it
/// fires; this mirrors that: a reply registers, an event unregisters.
struct ZooKeeperWatches: Sendable, Equatable {
    /// Set by getData, or by exists on a znode that exists: fire on change or delete.
    var data: Set<String> = []
    /// Set by exists on a znode that does not exist: fire on create.
    var exist: Set<String> = []
    /// Set by getChildren: fire on a child created or deleted, or the znode deleted.
    var child: Set<String> = []

    /// The most path bytes one SetWatches carries: the server refuses packets beyond
    /// `jute.maxbuffer` (1 MiB by default), so large sets go in several requests.
    static let maxPathBytesPerRequest = 128 * 1024

    var isEmpty: Bool { data.isEmpty && exist.isEmpty && child.isEmpty }

    /// Records the watch `request` set, given the code it was answered with.
    mutating func register(after request: ZooKeeperRequest, code: Int32) {
        switch request {
        case .getData(let path, true) where code == ZooKeeperCode.ok:
            data.insert(path)
        case .exists(let path, true) where code == ZooKeeperCode.ok:
            data.insert(path)
        case .exists(let path, true) where code == ZooKeeperCode.noNode:
            exist.insert(path)
        case .getChildren2(let path, true) where code == ZooKeeperCode.ok:
            child.insert(path)
        default:
            break
        }
    }

    /// Forgets the watches an event of `type` on `path` has fired.
    mutating func fired(_ type: WatchEventType, path: String) {
        switch type {
        case .created, .dataChanged:
            data.remove(path)
            exist.remove(path)
        case .deleted:
            data.remove(path)
            exist.remove(path)
            child.remove(path)
        case .childrenChanged:
            child.remove(path)
        }
    }

    mutating func removeAll() { self = ZooKeeperWatches() }

    /// The SetWatches requests that set every watch again, relative to `relativeZxid`
    /// (the last zxid seen): the server fires at once those whose znode changed since.
    func setWatchesRequests(relativeZxid: Int64) -> [ZooKeeperRequest] {
        var requests: [ZooKeeperRequest] = []
        var batch: [[String]] = [[], [], []]
        var bytes = 0
        for (kind, paths) in [data, exist, child].enumerated() {
            for path in paths.sorted() {
                if bytes + path.utf8.count > Self.maxPathBytesPerRequest, bytes > 0 {
                    requests.append(.setWatches(relativeZxid: relativeZxid, data: batch[0], exist: batch[1], child: batch[2]))
                    batch = [[], [], []]
                    bytes = 0
                }
                batch[kind].append(path)
                bytes += path.utf8.count
            }
        }
        if bytes > 0 {
            requests.append(.setWatches(relativeZxid: relativeZxid, data: batch[0], exist: batch[1], child: batch[2]))
        }
        return requests
    }
}
