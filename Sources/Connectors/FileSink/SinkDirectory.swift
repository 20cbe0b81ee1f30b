import Foundation

/// The directory of one partition, `path/<topic>/<partition>/`, holding files named
/// after the offset of their first record, zero-padded to 20 digits so that names sort
/// like offsets: `00000000000000001000.log`.
struct SinkDirectory: Sendable {
    /// Absolute path of the partition directory.
    let path: String

    static let suffix = ".log"

    /// The name of the file whose first record has offset `firstOffset`.
    static func fileName(firstOffset: Int64) -> String {
        let digits = String(firstOffset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    /// The first offset a sink file name stands for, or nil for any other name.
    static func firstOffset(ofFileNamed name: String) -> Int64? {
        guard name.hasSuffix(suffix) else { return nil }
        let digits = name.dropLast(suffix.count)
        guard digits.count == 20, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int64(digits)
    }

    /// Creates the directory and any missing parents; each new directory's entry is
    /// fsynced into its parent so files created inside survive a crash.
    func create() throws(FileSinkError) {
        var current = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            let parent = current.isEmpty ? "/" : current
            current += "/" + component
            if mkdir(current, 0o755) == 0 {
                try Self.syncDirectory(parent)
                continue
            }
            let code = errno
            var info = stat()
            guard code == EEXIST, stat(current, &info) == 0 else {
                throw .destination(operation: "creating directory", path: current, errno: code)
            }
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw .destination(operation: "creating directory", path: current, errno: ENOTDIR)
            }
        }
    }

    /// The sink files in the directory, by first offset; other names are ignored.
    func logFiles() throws(FileSinkError) -> [(firstOffset: Int64, name: String)] {
        guard let dir = opendir(path) else { throw .destination(operation: "listing", path: path, errno: errno) }
        defer { closedir(dir) }
        var files: [(firstOffset: Int64, name: String)] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if let offset = Self.firstOffset(ofFileNamed: name) { files.append((offset, name)) }
        }
        return files.sorted { $0.firstOffset < $1.firstOffset }
    }

    /// Deletes a file and makes the deletion durable.
    func remove(_ name: String) throws(FileSinkError) {
        let file = path + "/" + name
        guard unlink(file) == 0 || errno == ENOENT else { throw .destination(operation: "deleting", path: file, errno: errno) }
        try Self.syncDirectory(path)
    }

    /// Renames a file out of the way (`<name>.stale-<ms>`), keeping its bytes for a human
    /// to inspect, and returns the new name. Used for files the stored positions know
    /// nothing about, which the sink must not delete and must not append to.
    func setAside(_ name: String, nowMs: Int64) throws(FileSinkError) -> String {
        let newName = "\(name).stale-\(nowMs)"
        guard rename(path + "/" + name, path + "/" + newName) == 0 else {
            throw .destination(operation: "renaming", path: path + "/" + name, errno: errno)
        }
        try Self.syncDirectory(path)
        return newName
    }

    /// The size in bytes of a file in the directory, or nil when it does not exist.
    func size(of name: String) throws(FileSinkError) -> Int64? {
        var info = stat()
        if stat(path + "/" + name, &info) == 0 { return Int64(info.st_size) }
        if errno == ENOENT { return nil }
        throw .destination(operation: "inspecting", path: path + "/" + name, errno: errno)
    }

    /// fsyncs a directory so that entries created, renamed or removed in it are durable.
    static func syncDirectory(_ directory: String) throws(FileSinkError) {
        let fd = retryingEINTR { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw .destination(operation: "opening directory", path: directory, errno: errno) }
        defer { close(fd) }
        guard retryingEINTR({ fsync(fd) }) == 0 else { throw .destination(operation: "fsync of directory", path: directory, errno: errno) }
    }
}
