import KafkaWire
import SluiceKernel

/// A storage plugin's log-file region goes on the wire as it is: the writer sends it with
/// `sendfile`, and the region's `LogFileHandle` keeps the descriptor open until then.
extension LogFileRegion: WireFileRegion {
    public var fileDescriptor: CInt { file.descriptor }
    public var fileOffset: Int64 { offset }
    public var byteCount: Int { length }
}

extension RecordsData {
    /// The records of a log read: its bytes, or its file region for `sendfile`.
    public init(_ payload: LogPayload) {
        switch payload {
        case .bytes(let buffer): self = .bytes(buffer)
        case .file(let region): self = .file(region)
        }
    }
}
