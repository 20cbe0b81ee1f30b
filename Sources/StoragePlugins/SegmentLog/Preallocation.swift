import Foundation

/// Reserves a segment file's blocks ahead of large appends, with
/// `fallocate(FALLOC_FL_KEEP_SIZE)`, as RocksDB does for its write-ahead log.
///
/// Why: a buffered write into blocks not yet allocated makes the file system reserve
/// and account each 4 KiB block as it is copied (ext4's delayed allocation: a reservation,
/// a quota charge and an extent-cache entry per block), which was about a quarter of the
/// kernel's time in a 1 MiB produce. Blocks reserved in one call take that path once.
///
/// The file's size does not change (KEEP_SIZE), so reads, recovery and the sizes
/// reported stay exactly as without it; a crash leaves at most `maximumAhead` reserved
/// bytes past a segment's end, freed when the segment is deleted. Sealing and truncating
/// a segment give the reservation back (`release`).
///
/// Only appends of `minimumAppend` bytes or more reserve, and at most `aheadFactor`
/// times their size: 10,000 partitions receiving small records reserve nothing. A
/// failed reservation (a full disk, a file system without `fallocate`) is ignored: the
/// write then allocates its blocks itself, and reports a full disk as before.
struct Preallocation {
    /// Smallest append that reserves ahead, in bytes (64 KiB).
    static let minimumAppend = 64 << 10
    /// An append reserves room for this many appends of its size.
    static let aheadFactor: Int64 = 8
    /// Most bytes reserved past the end of the written data (16 MiB).
    static let maximumAhead: Int64 = 16 << 20

    /// The end of the blocks reserved so far (0: none known).
    private(set) var reservedEnd: Int64 = 0

    /// Before writing `incoming` bytes at `size`: reserves ahead when the append is large
    /// and would pass the reservation.
    mutating func reserve(incoming: Int, at size: Int64, fd: CInt) {
        guard incoming >= Self.minimumAppend, size + Int64(incoming) > reservedEnd,
              let fallocate = Self.fallocate else { return }
        let start = max(size, reservedEnd)
        let end = size + Int64(incoming) + min(Self.maximumAhead, Int64(incoming) * Self.aheadFactor)
        var result: CInt
        repeat { result = fallocate(fd, Self.keepSize, off_t(start), off_t(end - start)) } while result != 0 && errno == EINTR
        // Not reserved: the write allocates as it goes; no second try for this range.
        reservedEnd = result == 0 ? end : size + Int64(incoming)
    }

    /// Gives back the blocks reserved past `size` (a truncation to the file's own size
    /// frees them); after a truncation elsewhere, only forgets them.
    mutating func release(fd: CInt, size: Int64, path: String) throws {
        guard reservedEnd > size else { return }
        reservedEnd = 0
        try FileIO.truncate(fd, to: size, path: path)
    }

    /// The file was cut (which frees what lay past the cut): nothing is reserved.
    mutating func forget() { reservedEnd = 0 }

    /// `FALLOC_FL_KEEP_SIZE` from <linux/falloc.h>.
    static let keepSize: CInt = 0x01

    /// glibc's `fallocate(2)`, looked up because Swift's Glibc module does not declare it;
    /// nil elsewhere (then nothing is reserved).
    private static let fallocate: (@convention(c) (CInt, CInt, off_t, off_t) -> CInt)? = {
        #if os(Linux)
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "fallocate") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (CInt, CInt, off_t, off_t) -> CInt).self)
        #else
        return nil
        #endif
    }()
}
