/// One operation of an atomic `multi`: all of them apply, or none.
public enum ZooKeeperOp: Sendable, Equatable {
    /// Creates a znode with the open ACL.
    case create(path: String, data: [UInt8], mode: CreateMode)
    /// Replaces a znode's data if it is at `version` (-1: any).
    case set(path: String, data: [UInt8], version: Int32)
    /// Deletes a znode if it is at `version` (-1: any).
    case delete(path: String, version: Int32)
    /// Fails the whole multi unless the znode is at `version`.
    case check(path: String, version: Int32)

    /// The znode the op acts on.
    public var path: String {
        switch self {
        case .create(let path, _, _), .set(let path, _, _), .delete(let path, _), .check(let path, _): path
        }
    }

    /// The version the op expects (-1 for a create or any version).
    var expectedVersion: Int32 {
        switch self {
        case .set(_, _, let version), .delete(_, let version), .check(_, let version): version
        case .create: -1
        }
    }
}
