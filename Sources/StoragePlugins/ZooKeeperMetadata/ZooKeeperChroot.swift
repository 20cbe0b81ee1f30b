/// Maps the client's paths to the server's under a chroot ("/sluice": the client's "/a"
/// is the server's "/sluice/a") and back, for replies and watch events.
struct ZooKeeperChroot: Sendable, Equatable {
    /// The chroot without a trailing slash, or nil for the root.
    var prefix: String?

    /// The server's path for the client's `path`.
    func serverPath(_ path: String) -> String {
        guard let prefix else { return path }
        return path == "/" ? prefix : prefix + path
    }

    /// The client's path for the server's `path` (unchanged when outside the chroot,
    /// which the server never sends).
    func clientPath(_ path: String) -> String {
        guard let prefix, path.hasPrefix(prefix) else { return path }
        if path.count == prefix.count { return "/" }
        let rest = path.dropFirst(prefix.count)
        return rest.hasPrefix("/") ? String(rest) : path
    }
}
