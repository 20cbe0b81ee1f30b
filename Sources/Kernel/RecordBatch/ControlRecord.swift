import NIOCore

/// A transaction marker's record inside a control batch (KIP-98): key = version int16 (0),
/// type int16 (0 abort, 1 commit); value = version int16 (0), coordinator epoch int32.
/// The batch carries the producer id and epoch, and the transactional and control bits.
public enum ControlRecord {
    /// Control record type of an abort marker.
    public static let abortType: Int16 = 0
    /// Control record type of a commit marker.
    public static let commitType: Int16 = 1

    /// The control batch that ends `marker`'s transaction, stamped `timestamp` (ms).
    public static func batch(for marker: TransactionMarker, timestamp: Int64) -> RecordBatch {
        var builder = RecordBatchBuilder()
        builder.producerId = marker.producerId
        builder.producerEpoch = marker.producerEpoch
        builder.baseSequence = -1
        builder.isTransactional = true
        builder.isControl = true
        var key = ByteBuffer()
        key.writeInteger(Int16(0))
        key.writeInteger(marker.commit ? commitType : abortType)
        var value = ByteBuffer()
        value.writeInteger(Int16(0))
        value.writeInteger(marker.coordinatorEpoch)
        return builder.build([Record(key: Array(key.readableBytesView), value: Array(value.readableBytesView), timestamp: timestamp)])
    }

    /// The outcome and coordinator epoch of a transaction marker batch; nil for a control
    /// batch of another kind or one that cannot be read.
    public static func marker(in batch: RecordBatch) -> (commit: Bool, coordinatorEpoch: Int32)? {
        guard batch.isControl, let record = try? batch.records().first, let keyBytes = record.key else { return nil }
        var key = ByteBuffer(bytes: keyBytes)
        guard let _: Int16 = key.readInteger(), let type: Int16 = key.readInteger(),
              type == abortType || type == commitType else { return nil }
        var epoch: Int32 = -1
        if let valueBytes = record.value {
            var value = ByteBuffer(bytes: valueBytes)
            if let _: Int16 = value.readInteger(), let read: Int32 = value.readInteger() { epoch = read }
        }
        return (type == commitType, epoch)
    }
}
