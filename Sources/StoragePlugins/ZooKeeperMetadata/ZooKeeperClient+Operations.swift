/// The znode operations, each retried across reconnects by `perform`.
extension ZooKeeperClient {
    /// Creates a znode; returns its path (with the sequence suffix for sequential modes).
    /// A retry that finds the node already there with this data (and, for an ephemeral,
    /// owned by this session) counts as done.
    /// - Throws: `nodeExists`, `noNode` (missing parent).
    @discardableResult
    public func create(_ path: String, data: [UInt8] = [], mode: CreateMode = .persistent) async throws -> String {
        try await perform("create", path) { retried in
            let (code, created) = await attemptCreate(path, data, mode)
            guard code == ZooKeeperCode.nodeExists, retried, !mode.isSequential else { return (code, created) }
            let (getCode, node) = await attemptGet(path, watch: false)
            if getCode == ZooKeeperCode.ok, let node, node.bytes == data,
               !mode.isEphemeral || node.stat.ephemeralOwner == session {
                return (ZooKeeperCode.ok, path)
            }
            return (code, nil)
        }
    }

    /// A znode's data and stat; `watch` sets a one-shot data watch.
    /// - Throws: `noNode`.
    public func get(_ path: String, watch: Bool = false) async throws -> ZNodeData {
        try await perform("get", path) { _ in await attemptGet(path, watch: watch) }
    }

    /// The data of a znode, or nil when it does not exist.
    public func getIfExists(_ path: String, watch: Bool = false) async throws -> ZNodeData? {
        do {
            return try await get(path, watch: watch)
        } catch ZooKeeperError.noNode {
            return nil
        }
    }

    /// Replaces a znode's data if it is at `version` (-1: any); returns the new stat.
    /// A retry that finds this data at `version + 1` counts as done.
    /// - Throws: `badVersion`, `noNode`.
    @discardableResult
    public func set(_ path: String, data: [UInt8], version: Int32 = -1) async throws -> ZNodeStat {
        try await perform("set", path, expectedVersion: version) { retried in
            let (code, stat) = await attemptSet(path, data, version: version)
            guard code == ZooKeeperCode.badVersion, retried, version >= 0 else { return (code, stat) }
            let (getCode, node) = await attemptGet(path, watch: false)
            if getCode == ZooKeeperCode.ok, let node, node.bytes == data, node.stat.version == version + 1 {
                return (ZooKeeperCode.ok, node.stat)
            }
            return (code, nil)
        }
    }

    /// Deletes a znode if it is at `version` (-1: any). A retry that finds it gone counts
    /// as done. - Throws: `noNode`, `badVersion`, `notEmpty`.
    public func delete(_ path: String, version: Int32 = -1) async throws {
        _ = try await perform("delete", path, expectedVersion: version) { retried in
            let (code, done) = await attemptDelete(path, version: version)
            return code == ZooKeeperCode.noNode && retried ? (ZooKeeperCode.ok, true) : (code, done)
        }
    }

    /// The stat of a znode, or nil; `watch` sets a watch that fires on create, change or delete.
    public func exists(_ path: String, watch: Bool = false) async throws -> ZNodeStat? {
        do {
            return try await perform("exists", path) { _ in await attemptExists(path, watch: watch) }
        } catch ZooKeeperError.noNode {
            return nil
        }
    }

    /// The names of a znode's children, unsorted; `watch` sets a one-shot child watch.
    /// - Throws: `noNode`.
    public func children(_ path: String, watch: Bool = false) async throws -> [String] {
        try await perform("children", path) { _ in await attemptChildren(path, watch: watch) }
    }

    /// Applies `ops` atomically: all of them or none.
    /// - Throws: the failing op's error (e.g. `nodeExists` for a create, `badVersion` for
    ///   a set, delete or check, `noNode`), naming that op's path.
    public func multi(_ ops: [ZooKeeperOp]) async throws {
        guard !ops.isEmpty else { return }
        let results = try await perform("multi", ops[0].path) { _ -> (Int32, [MultiOpResult]?) in
            let (code, results) = await attemptMulti(ops)
            // A failing op fails the whole multi: report its code, not a retriable one.
            return ZooKeeperError.isRetriable(code) || results == nil ? (code, results) : (ZooKeeperCode.ok, results)
        }
        // The ops before the failing one answer ok, those after it runtimeInconsistency.
        for (op, result) in zip(ops, results)
        where result.code != ZooKeeperCode.ok && result.code != ZooKeeperCode.runtimeInconsistency {
            throw ZooKeeperError.from(result.code, operation: "multi", path: op.path, expectedVersion: op.expectedVersion)
        }
    }

    /// Creates `path` and any missing ancestors as empty persistent znodes.
    public func ensurePath(_ path: String) async throws {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            do {
                try await create(current)
            } catch ZooKeeperError.nodeExists {
                continue
            }
        }
    }

    /// Deletes a znode and everything under it; no error when it is already gone.
    public func deleteRecursively(_ path: String) async throws {
        let names: [String]
        do {
            names = try await children(path)
        } catch ZooKeeperError.noNode {
            return
        }
        for name in names { try await deleteRecursively(path + "/" + name) }
        do {
            try await delete(path)
        } catch ZooKeeperError.noNode {
            return
        } catch ZooKeeperError.notEmpty {
            try await deleteRecursively(path)  // a child appeared meanwhile
        }
    }
}
